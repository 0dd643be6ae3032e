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
        from .kernel import launch

        launch()


if __name__ == "__main__":
    main()
