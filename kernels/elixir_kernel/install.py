"""Install the `elixir` kernelspec the Jupyter way (`python -m elixir_kernel install --sys-prefix`)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

KERNEL_NAME = "elixir"


def kernel_json(code_paths: list[str], prelude: str | None) -> dict:
    argv = [sys.executable, "-m", "elixir_kernel", "-f", "{connection_file}"]
    env = {}
    if code_paths:
        env["ELIXIR_KERNEL_CODE_PATH"] = ":".join(code_paths)
    if prelude:
        env["ELIXIR_KERNEL_PRELUDE"] = prelude
    spec = {
        "argv": argv,
        "display_name": "Elixir",
        "language": "elixir",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }
    if env:
        spec["env"] = env
    return spec


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m elixir_kernel install",
        description="Install the Elixir kernelspec (name 'elixir') for Jupyter.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for the current user")
    where.add_argument("--sys-prefix", action="store_true",
                       help="install into sys.prefix (e.g. the active virtualenv)")
    where.add_argument("--prefix", help="install under this prefix")
    parser.add_argument("--code-path", action="append", default=[],
                        help="an ebin directory to put on the BEAM code path (repeatable)")
    parser.add_argument("--prelude", help="Elixir code evaluated before the first cell, e.g. 'require Grade'")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)

    from .build import CompileError, ensure_runtime_compiled

    try:
        ensure_runtime_compiled()
    except CompileError as exc:
        sys.exit(str(exc))

    prefix = sys.prefix if args.sys_prefix else args.prefix
    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / KERNEL_NAME
        spec_dir.mkdir()
        spec = kernel_json([str(Path(p).resolve()) for p in args.code_path], args.prelude)
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
        logo = Path(__file__).parent / "resources"
        for image in logo.glob("logo-*.png"):
            (spec_dir / image.name).write_bytes(image.read_bytes())
        dest = KernelSpecManager().install_kernel_spec(
            str(spec_dir), KERNEL_NAME, user=args.user, prefix=prefix, replace=True
        )
    if not args.quiet:
        print(f"Installed kernelspec '{KERNEL_NAME}' in {dest}")
