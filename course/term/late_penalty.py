"""The course's late-work policy, as an nbgrader LateSubmissionPlugin.

nbgrader marks a submission late when its timestamp is after the assignment's
due date (loaded from the schedule file) and asks the configured plugin for a
penalty per notebook. nbgrader's own plugin offers only "none" or "zero"; a
course needs something gentler and predictable, written down once:

    penalty = earned points x min(max_percent, percent_per_day x days late) / 100

where *days late* counts every started day (1 second late = 1 day), after an
optional grace period. Defaults: 10 % per day, capped at 50 %. Configure in
nbgrader_config.py:

    c.AssignLatePenalties.plugin_class = "course.term.late_penalty.PercentPerDayLate"
    c.PercentPerDayLate.percent_per_day = 10
    c.PercentPerDayLate.max_percent = 50
    c.PercentPerDayLate.grace_minutes = 0
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

SECONDS_PER_DAY = 86400


def days_late(seconds_late: float, grace_minutes: float = 0.0) -> int:
    """Started days late after the grace period (0 if on time or within grace)."""
    seconds = seconds_late - grace_minutes * 60
    return 0 if seconds <= 0 else math.ceil(seconds / SECONDS_PER_DAY)


def penalty_fraction(seconds_late: float, percent_per_day: float = 10.0, max_percent: float = 50.0,
                     grace_minutes: float = 0.0) -> float:
    """Fraction (0..1) of the earned points taken away."""
    return min(max_percent, percent_per_day * days_late(seconds_late, grace_minutes)) / 100.0


class PercentPerDayLate(LateSubmissionPlugin):
    """A percentage of the earned points per started day late, capped."""

    percent_per_day = Float(10.0, help="Percent of the earned points taken per started day late.").tag(config=True)
    max_percent = Float(50.0, help="The most a late submission can lose, in percent of its earned points.").tag(
        config=True)
    grace_minutes = Float(0.0, help="Minutes after the due date that still count as on time.").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        fraction = penalty_fraction(total_seconds_late, self.percent_per_day, self.max_percent, self.grace_minutes)
        penalty = round((score or 0.0) * fraction, 4)
        self.log.info("Late-work policy: %s is %d day(s) late, penalty %.4g (%.0f%% of %.4g).", student_id,
                      days_late(total_seconds_late, self.grace_minutes), penalty, fraction * 100, score or 0.0)
        return penalty
