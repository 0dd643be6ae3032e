"""The class report for TAs: reports/ID/ (index.html, PNG charts, grades.csv).

Answers the questions a TA brings to a graded assignment: how is the class
spread, which test catches most students (hidden tests highlighted: they
reveal what the visible tests did not teach), which exercise is hardest, who
needs attention (low score, or a submission nobody could grade). Frames come
from `results`; charts are matplotlib (Agg, no display) drawn from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from course.grading import results  # noqa: E402
from course.grading.course_root import Course  # noqa: E402
from course.grading.html_page import esc, page, points, table  # noqa: E402

ATTENTION_BELOW = 0.5  # share of the autograded points
VISIBLE_COLOUR, HIDDEN_COLOUR = "#0969da", "#8250df"


@dataclass
class ClassFrames:
    """Everything the report shows, as frames."""

    assignment: str
    students: pd.DataFrame  # student, status, message, code_score, code_max, written_score, total, max, share
    exercises: pd.DataFrame  # cell, title, max_score, mean, mean_share, graded
    pass_rates: pd.DataFrame  # cell, test, hidden, points, passed, graded, rate
    grades: pd.DataFrame  # student x exercise cells + total (the CSV)
    attention: pd.DataFrame  # student, reason


def build_frames(course: Course, assignment: str) -> ClassFrames:
    scores = results.cell_scores(course, assignment)
    status = results.submission_status(course, assignment, scores)
    tests = results.test_results(course, assignment)
    titles = {}
    for notebook in results.source_notebooks(course, assignment).values():
        titles |= results.cell_titles(notebook)

    graded_ids = set(status.loc[status.status == "graded", "student"])
    graded_scores = scores[scores.student.isin(graded_ids)]
    code = graded_scores[graded_scores.cell_type == "code"]
    written = graded_scores[graded_scores.cell_type != "code"]
    per_student = pd.DataFrame({
        "code_score": code.groupby("student").score.sum(),
        "code_max": code.groupby("student").max_score.sum(),
        "written_score": written.groupby("student").score.sum(),
        "total": graded_scores.groupby("student").score.sum(),
        "max": graded_scores.groupby("student").max_score.sum(),
    }).reset_index(names="student")
    students = status.merge(per_student, on="student", how="left")
    students["share"] = students.code_score / students.code_max.where(students.code_max > 0)

    exercises = (code.groupby(["cell"], sort=False)
                 .agg(max_score=("max_score", "max"), mean=("score", "mean"), graded=("student", "nunique"))
                 .reset_index())
    exercises.insert(1, "title", exercises.cell.map(lambda c: titles.get(c, c)))
    exercises["mean_share"] = exercises["mean"] / exercises.max_score.where(exercises.max_score > 0)

    catalog = results.test_catalog(tests)
    n_graded = len(graded_ids)
    passed = (tests[tests.student.isin(graded_ids) & (tests.status == "passed")]
              .groupby(["cell", "test"]).student.nunique().rename("passed"))
    pass_rates = catalog.merge(passed.reset_index(), on=["cell", "test"], how="left").fillna({"passed": 0})
    pass_rates["graded"] = n_graded
    pass_rates["rate"] = pass_rates.passed / n_graded if n_graded else 0.0
    pass_rates = pass_rates.sort_values("rate", kind="stable").reset_index(drop=True)

    shown = scores.copy()  # a written answer awaiting its grader is blank, not 0
    pending = (shown.cell_type != "code") & shown.manual_score.isna() & shown.needs_manual_grade
    shown.loc[pending, "score"] = float("nan")
    grades = shown.pivot_table(index="student", columns="cell", values="score", aggfunc="first", sort=False,
                               dropna=False)
    ordered = [c for c in titles if c in grades.columns]
    grades = grades[ordered] if ordered else grades
    grades["total"] = grades.sum(axis=1)
    grades["max"] = scores.groupby("student").max_score.sum()
    grades = status.set_index("student")[["status"]].join(grades, how="left").reset_index()
    grades.loc[grades.status != "graded", [c for c in grades.columns if c not in ("student", "status")]] = None

    reasons = []
    for row in students.itertuples():
        if row.status != "graded":
            reasons.append((row.student, f"{row.status}: {row.message}"))
        elif pd.notna(row.share) and row.share < ATTENTION_BELOW:
            reasons.append((row.student, f"scored {row.share:.0%} of the autograded points"))
    attention = pd.DataFrame(reasons, columns=["student", "reason"])
    return ClassFrames(assignment, students, exercises, pass_rates, grades, attention)


# --- charts ------------------------------------------------------------------

def score_histogram(frames: ClassFrames, path: Path) -> Path:
    shares = frames.students.share.dropna() * 100
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=110)
    ax.hist(shares, bins=[i * 10 for i in range(11)], color=VISIBLE_COLOUR, edgecolor="white")
    ax.axvline(ATTENTION_BELOW * 100, color="#cf222e", linestyle="--", linewidth=1)
    ax.text(ATTENTION_BELOW * 100 - 1, ax.get_ylim()[1] * 0.97, "needs attention", color="#cf222e", fontsize=8,
            ha="right", va="top")
    not_graded = int((frames.students.status != "graded").sum())
    ax.set_title(f"Score distribution ({len(shares)} graded" + (f", {not_graded} not graded)" if not_graded else ")"))
    ax.set_xlabel("autograded score (% of points)")
    ax.set_ylabel("students")
    ax.set_xlim(0, 100)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def short(text: str, limit: int = 60) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def exercise_label(cell: str) -> str:
    return cell[: -len("-tests")] if cell.endswith("-tests") else cell


def pass_rate_chart(frames: ClassFrames, path: Path) -> Path:
    rates = frames.pass_rates
    height = max(2.5, 0.3 * len(rates) + 1.3)
    fig, ax = plt.subplots(figsize=(10, height), dpi=110)
    labels = [f"{exercise_label(r.cell)} · {short(r.test)}" for r in rates.itertuples()]
    colours = [HIDDEN_COLOUR if h else VISIBLE_COLOUR for h in rates.hidden]
    y = list(range(len(rates)))
    ax.barh(y, rates.rate * 100, color=colours)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()  # the test that catches most of the class on top
    for i, rate in enumerate(rates.rate):
        ax.text(rate * 100 + 1, i, f"{rate:.0%}", va="center", fontsize=8)
    ax.set_xlim(0, 108)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("students passing (%)")
    ax.set_title("Pass rate per test (the test that catches most students on top)", fontsize=10)
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=VISIBLE_COLOUR),
                       plt.Rectangle((0, 0), 1, 1, color=HIDDEN_COLOUR)],
              labels=["visible test", "hidden test"], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def exercise_chart(frames: ClassFrames, path: Path) -> Path:
    ex = frames.exercises
    fig, ax = plt.subplots(figsize=(7, max(2.2, 0.45 * len(ex) + 1)), dpi=110)
    y = list(range(len(ex)))
    ax.barh(y, ex.mean_share.fillna(0) * 100, color="#1a7f37")
    ax.set_yticks(y, [f"{exercise_label(r.cell)} · {short(r.title, 50)}" for r in ex.itertuples()], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("mean score (% of the exercise's points)")
    ax.set_title("Mean score per exercise", fontsize=10)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


# --- page --------------------------------------------------------------------

def _pct(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.0%}"


def report_page(frames: ClassFrames) -> str:
    s = frames.students
    graded = s[s.status == "graded"]
    summary = (f"<p>{len(s)} submissions: {len(graded)} graded, {int((s.status == 'failed').sum())} could not be "
               f"graded, {int((s.status == 'malformed').sum())} unreadable. "
               f"Median autograded score: {_pct(graded.share.median() if len(graded) else None)}.</p>")
    attention = table(["Student", "Why"], [[esc(r.student), esc(r.reason)] for r in frames.attention.itertuples()]) \
        if len(frames.attention) else "<p>Nobody: every submission was graded and scored at least half.</p>"
    hardest = frames.pass_rates.head(1)
    lead = ""
    if len(hardest):
        h = hardest.iloc[0]
        lead = (f"<p>The test that catches most of the class: <b>{esc(h.test)}</b>"
                f"{' (hidden)' if h.hidden else ''} in {esc(h.cell)}, passed by {_pct(h.rate)}.</p>")
    rates = table(["Test", "Exercise", "Points", "Passed", "Rate"],
                  [[esc(r.test) + (' <span class="badge hidden">hidden</span>' if r.hidden else ""), esc(r.cell),
                    points(r.points), f"{int(r.passed)} / {int(r.graded)}", _pct(r.rate)]
                   for r in frames.pass_rates.itertuples()], numeric={2, 3, 4})
    exercises = table(["Exercise", "Cell", "Points", "Mean", "Mean %"],
                      [[esc(r.title), esc(r.cell), points(r.max_score), points(round(r.mean, 2)), _pct(r.mean_share)]
                       for r in frames.exercises.itertuples()], numeric={2, 3, 4})
    roster = table(["Student", "Status", "Autograded", "Written", "Total", "%"],
                   [[esc(r.student), esc(r.status), f"{points(r.code_score)} / {points(r.code_max)}"
                     if r.status == "graded" else "–", points(r.written_score) if r.status == "graded" else "–",
                     f"{points(r.total)} / {points(r.max)}" if r.status == "graded" else "–", _pct(r.share)]
                    for r in s.itertuples()], numeric={2, 3, 4, 5})
    body = (f"<h1>Class report · {esc(frames.assignment)}</h1>"
            f'<p class="sub">For TAs. Grades: <a href="grades.csv">grades.csv</a>. '
            f"Per-student pages: feedback/STUDENT/{esc(frames.assignment)}/.</p>{summary}"
            f"<h2>Students needing attention</h2>{attention}"
            f'<h2>Score distribution</h2><img src="score-distribution.png" alt="score distribution">'
            f"<h2>Pass rate per test</h2>{lead}"
            f'<img src="test-pass-rates.png" alt="pass rate per test">{rates}'
            f'<h2>Exercises</h2><img src="exercise-means.png" alt="mean per exercise">{exercises}'
            f"<h2>All students</h2>{roster}")
    return page(f"Class report · {frames.assignment}", body,
                "Autograded % excludes written answers, which are graded by hand.")


def write_report(course: Course, assignment: str) -> Path:
    """Write reports/ID/ and return the path of its index.html."""
    folder = course.path("reports", assignment)
    folder.mkdir(parents=True, exist_ok=True)
    frames = build_frames(course, assignment)
    frames.grades.to_csv(folder / "grades.csv", index=False)
    score_histogram(frames, folder / "score-distribution.png")
    pass_rate_chart(frames, folder / "test-pass-rates.png")
    exercise_chart(frames, folder / "exercise-means.png")
    index = folder / "index.html"
    index.write_text(report_page(frames), encoding="utf-8")
    return index


def write_overview(course: Course, assignments: list[str]) -> Path:
    """reports/index.html linking the reports of several assignments."""
    rows = []
    for assignment in assignments:
        frames = build_frames(course, assignment)
        s = frames.students
        rows.append([f'<a href="{esc(assignment)}/index.html">{esc(assignment)}</a>', str(len(s)),
                     str(int((s.status == "graded").sum())), _pct(s.share.median()), str(len(frames.attention))])
    body = ("<h1>Class reports</h1>" + table(["Assignment", "Submissions", "Graded", "Median", "Need attention"],
                                             rows, numeric={1, 2, 3, 4}))
    path = course.path("reports", "index.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page("Class reports", body), encoding="utf-8")
    return path
