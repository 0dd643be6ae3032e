"""Benchmark the `elixir` kernel against ipykernel (`python3`): start-up and cell round trip.

Why: students feel two latencies: how long "Restart kernel" takes before the
first cell answers, and how long a trivial cell takes to come back. The
targets are relative to ipykernel on the same machine, so both kernels are
measured in the same run, interleaved, through jupyter_client (what
JupyterLab and nbclient use):

  start:      KernelManager.start_kernel() -> kernel_info reply, and
              -> execute_reply of `1 + 1` (median of --runs fresh kernels)
  round trip: execute_request of `1 + 1` -> execute_reply and iopub idle
              (median of --executions on one started kernel, after warm-up)

Targets: elixir start <= 1.2x ipykernel, round trip <= 1.0x ipykernel.
Run: .venv/bin/python bench/kernel.py [--runs 10] [--executions 200] [--check]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from rich.console import Console
from rich.table import Table

CODE = "1 + 1"
TARGETS = {"start -> kernel_info": 1.2, "start -> first reply": 1.2, "round trip": 1.0}  # elixir / ipykernel


@dataclass
class Samples:
    """Seconds per metric, for one kernel."""

    by_metric: dict[str, list[float]] = field(default_factory=dict)

    def add(self, metric: str, seconds: float) -> None:
        self.by_metric.setdefault(metric, []).append(seconds)


def ensure_python3_kernelspec() -> None:
    """ipykernel normally provides `python3` natively; install it into this prefix if not."""
    if "python3" not in KernelSpecManager().find_kernel_specs():
        from ipykernel.kernelspec import install

        install(prefix=sys.prefix)


def wait_reply(client, msg_id: str, timeout: float) -> dict:
    """The shell reply to `msg_id` (skipping stale replies), raising if it is an error."""
    deadline = time.monotonic() + timeout
    while True:
        msg = client.get_shell_msg(timeout=max(0.0, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            if msg["content"].get("status") != "ok":
                raise RuntimeError(f"{msg['msg_type']} failed: {msg['content']}")
            return msg


def wait_idle(client, msg_id: str, timeout: float) -> None:
    """Drain iopub until the kernel reports idle for `msg_id`."""
    deadline = time.monotonic() + timeout
    while True:
        msg = client.get_iopub_msg(timeout=max(0.0, deadline - time.monotonic()))
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return


def execute(client, timeout: float) -> None:
    msg_id = client.execute(CODE, silent=False, store_history=False)
    wait_reply(client, msg_id, timeout)
    wait_idle(client, msg_id, timeout)


def measure_start(kernel: str, samples: Samples, timeout: float) -> None:
    """One cold start: time to kernel_info reply and to the first execute_reply."""
    manager = KernelManager(kernel_name=kernel)
    started = time.perf_counter()
    manager.start_kernel(stderr=subprocess.DEVNULL)
    client = manager.client()
    client.start_channels()
    try:
        wait_reply(client, client.kernel_info(), timeout)
        samples.add("start -> kernel_info", time.perf_counter() - started)
        msg_id = client.execute(CODE, store_history=False)
        wait_reply(client, msg_id, timeout)
        samples.add("start -> first reply", time.perf_counter() - started)
    finally:
        client.stop_channels()
        manager.shutdown_kernel()


def measure_round_trips(kernel: str, samples: Samples, executions: int, timeout: float) -> None:
    manager = KernelManager(kernel_name=kernel)
    manager.start_kernel(stderr=subprocess.DEVNULL)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        for _ in range(10):  # warm-up: JIT, module loading, first-cell set-up
            execute(client, timeout)
        for _ in range(executions):
            started = time.perf_counter()
            execute(client, timeout)
            samples.add("round trip", time.perf_counter() - started)
    finally:
        client.stop_channels()
        manager.shutdown_kernel()


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]  # nearest rank


def report(results: dict[str, Samples], subject: str, baseline: str, console: Console) -> bool:
    """Print the table; True when every target is met."""
    table = Table(title=f"{subject} vs {baseline}: milliseconds, ratio of medians")
    for column in ("metric", f"{subject} p50", "p90", f"{baseline} p50", "p90",
                   "ratio", "target", "verdict"):
        table.add_column(column, justify="left" if column == "metric" else "right", no_wrap=True)
    all_met = True
    for metric, target in TARGETS.items():
        ours, theirs = results[subject].by_metric[metric], results[baseline].by_metric[metric]
        ratio = statistics.median(ours) / statistics.median(theirs)
        met = ratio <= target
        all_met &= met
        table.add_row(metric, *(f"{1000 * v:.1f}" for v in (
            statistics.median(ours), p90(ours), statistics.median(theirs), p90(theirs))),
            f"{ratio:.2f}x", f"<= {target}x", "[green]met[/]" if met else "[red]missed[/]")
    console.print(table)
    return all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts per kernel (default 10)")
    parser.add_argument("--executions", type=int, default=200,
                        help="trivial cells timed on a started kernel (default 200)")
    parser.add_argument("--kernel", default="elixir", help="kernel under test (default elixir)")
    parser.add_argument("--baseline", default="python3", help="reference kernel (default python3)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for any reply")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    ensure_python3_kernelspec()
    kernels = (args.kernel, args.baseline)
    missing = [k for k in kernels if k not in KernelSpecManager().find_kernel_specs()]
    if missing:
        parser.error(f"no kernelspec named {', '.join(missing)} (see `jupyter kernelspec list`)")

    console = Console(width=None if sys.stdout.isatty() else 110)
    results = {k: Samples() for k in kernels}
    with console.status("measuring...") as status:
        for run in range(args.runs):  # interleaved, so machine noise hits both kernels alike
            for kernel in kernels:
                status.update(f"cold start {run + 1}/{args.runs}: {kernel}")
                measure_start(kernel, results[kernel], args.timeout)
        for kernel in kernels:
            status.update(f"{args.executions} round trips: {kernel}")
            measure_round_trips(kernel, results[kernel], args.executions, args.timeout)
    console.print(f"{args.runs} cold starts and {args.executions} round trips per kernel; "
                  f"cell: {CODE!r}; kernel stderr discarded")
    met = report(results, args.kernel, args.baseline, console)
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
