"""Turn what nbgrader logged about a failed submission into one sentence.

nbgrader reports a failed student as a traceback plus "please see the above
traceback". A TA needs the reason: the kernel died, it stopped answering, the
notebook is not one of the assignment's, the gradebook was busy. The full log
is kept on disk for whoever wants the details.
"""

from __future__ import annotations

import re

_EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w*(?:Error|Exception|Exit))(?::\s*(.*))?$")

# (pattern in log or traceback, sentence). First match wins.
_KNOWN = [
    (re.compile(r"became unresponsive|UnresponsiveKernelError", re.I),
     "the kernel stopped responding and could not be interrupted, so the notebook was abandoned."),
    (re.compile(r"Kernel died before replying to kernel_info", re.I),
     "the kernel died while starting, before any cell ran; grade this student again."),
    (re.compile(r"DeadKernelError|Kernel died|kernel.*(died|dead)", re.I),
     "the kernel died while running the notebook and did not come back."),
    (re.compile(r"database is locked|error accessing the nbgrader database", re.I),
     "the gradebook database stayed busy too long; grade this student again."),
    (re.compile(r"No assignment with ID '([^']*)' exists", re.I),
     "the assignment is not in the gradebook; run `course release` first."),
    (re.compile(r"No notebooks found", re.I),
     "the submission holds no notebook of this assignment."),
    (re.compile(r"TimeoutError.*(start|kernel_info|ready)|Kernel didn't respond|failed to start", re.I),
     "the kernel did not start in time."),
    (re.compile(r"No such kernel named (\S+)", re.I),
     "the notebook asks for a kernel that is not installed."),
    (re.compile(r"SchemaTooOldError|SchemaTooNewError|nbgrader metadata", re.I),
     "the notebook's nbgrader metadata is damaged or from another nbgrader version."),
    (re.compile(r"partial credit cannot be greater than maximum points", re.I),
     "a test cell returned more points than the cell is worth."),
]

_NOISE = {"NbGraderException"}


def explain(log: str, error: str = "") -> str:
    """One sentence (no traceback) saying why nbgrader could not grade."""
    text = f"{log}\n{error}"
    for pattern, sentence in _KNOWN:
        if pattern.search(text):
            return sentence
    last = None
    for line in text.splitlines():
        match = _EXCEPTION_LINE.match(line)
        if match and match.group(1) not in _NOISE:
            last = match
    if last:
        detail = (last.group(2) or "").strip()
        detail = detail[:160] + ("…" if len(detail) > 160 else "")
        return f"nbgrader stopped with {last.group(1)}" + (f": {detail}" if detail else ".")
    return "nbgrader could not grade it (see the log for details)."
