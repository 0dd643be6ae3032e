"""Benchmark the gates' measuring harness (`Bench`, course/elixir_helpers/lib/bench*.ex) on this machine.

Why: a gate's verdict is only as good as its stopwatch. Two numbers say how
good it is, both measured in the same BEAM run:

  harness overhead per sample: what `Bench.measure/3` adds to every sample,
      i.e. the measured time of a compiled no-op (p50 of --samples). Target
      <= 100 ns. Also shown: the whole loop's cost per sample (two clock reads,
      the call, storing the sample), which bounds how many samples fit a second.
  GenServer.call p50 / bare clock: a measured empty GenServer.call (the floor
      every phase-3 verdict is compared with) divided by the cost of one
      `:erlang.monotonic_time()` in a bare compiled loop: how many clock reads
      one call costs, i.e. how far the thing measured sits above the
      resolution of the stopwatch.

Each of --runs runs is a fresh `elixir` process; the table shows each run and
the median. Run: .venv/bin/python bench/gates.py [--runs 3] [--samples 100000] [--check]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_OVERHEAD_NS = 100.0

SCRIPT = """
samples = String.to_integer(System.get_env("BENCH_SAMPLES"))
overhead = Bench.overhead(samples: samples)
clock_ns = Bench.Floor.clock_loop(samples)
call = Bench.floor(:genserver_call, samples: samples)
IO.puts(Enum.join([overhead["p50"], overhead["p99"], overhead["loop_ns_per_sample"], clock_ns, call["p50"], call["p99"]], " "))
"""


def one_run(samples: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from course import elixir_build

    ebin = elixir_build.ensure_compiled()
    proc = subprocess.run(["elixir", "-pa", str(ebin), "-e", SCRIPT], capture_output=True, text=True, timeout=600,
                          env={"BENCH_SAMPLES": str(samples), "PATH": _path()})
    if proc.returncode != 0:
        sys.exit(f"the Elixir benchmark failed:\n{proc.stdout}{proc.stderr}")
    values = [float(x) for x in proc.stdout.split()[-6:]]
    keys = ["overhead_p50", "overhead_p99", "loop_per_sample", "clock_ns", "call_p50", "call_p99"]
    return dict(zip(keys, values))


def _path() -> str:
    import os

    return os.environ.get("PATH", "/usr/bin:/bin")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/gates.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--runs", type=int, default=3, help="fresh BEAM runs (default 3)")
    parser.add_argument("--samples", type=int, default=100_000, help="samples per measurement (default 100000)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the median overhead exceeds 100 ns")
    args = parser.parse_args(argv)
    if shutil.which("elixir") is None:
        sys.exit("elixir is not installed (Debian: apt-get install elixir)")

    from rich.console import Console
    from rich.table import Table

    runs = [one_run(args.samples) for _ in range(args.runs)]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    table = Table("run", "overhead/sample p50", "p99", "loop/sample", "bare clock read", "GenServer.call p50",
                  "call p99", "call p50 / clock", title=f"Gate harness, {args.samples:,} samples per measurement")
    for label, r in [*((str(i + 1), r) for i, r in enumerate(runs)), ("median", median)]:
        table.add_row(label, f"{r['overhead_p50']:.0f} ns", f"{r['overhead_p99']:.0f} ns", f"{r['loop_per_sample']:.0f} ns",
                      f"{r['clock_ns']:.0f} ns", f"{r['call_p50'] / 1000:.2f} µs", f"{r['call_p99'] / 1000:.2f} µs",
                      f"{r['call_p50'] / r['clock_ns']:.1f}×")
    console = Console(highlight=False, width=130)
    console.print(table)
    ok = median["overhead_p50"] <= TARGET_OVERHEAD_NS
    console.print(f"harness overhead per sample (median p50): {median['overhead_p50']:.0f} ns, target <= "
                  f"{TARGET_OVERHEAD_NS:.0f} ns: {'met' if ok else 'NOT met'}. GenServer.call p50 is "
                  f"{median['call_p50'] / median['clock_ns']:.1f}× one bare :erlang.monotonic_time() "
                  f"({median['clock_ns']:.0f} ns) in the same runs.")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
