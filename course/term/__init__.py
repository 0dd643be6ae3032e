"""The instructor's term: roster, due dates, the nbgrader exchange, late work, grades out.

Each module does one job and adds to nbgrader's own flow (never replaces it):

- `roster`        students.csv -> gradebook students, bad rows reported by line
- `schedule`      course/schedule.yml -> gradebook assignment due dates
- `exchange`      `nbgrader release_assignment` / `nbgrader collect` wrappers
- `private_submit` an `nbgrader submit` whose submissions other students cannot read
- `late_penalty`  the documented late-work policy (a LateSubmissionPlugin)
- `grades_export` the registrar CSV: one row per student, penalties applied
- `commands`      the click commands (`course roster|schedule|publish|collect|grades`)
"""
