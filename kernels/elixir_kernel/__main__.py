"""`python -m elixir_kernel [install|compile|...]`: install the kernelspec, or run the kernel."""

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "install":
        from .install import main as install_main

        install_main(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "compile":
        from .build import CompileError, ensure_runtime_compiled

        try:
            ensure_runtime_compiled()
        except CompileError as exc:
            sys.exit(str(exc))
    else:
        # Boot the BEAM first, so it starts while Python imports ipykernel (~0.3 s).
        from .runtime import start_runtime

        early = start_runtime()
        from .kernel import launch

        launch(early)


if __name__ == "__main__":
    main()
