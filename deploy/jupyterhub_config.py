"""JupyterHub for one class of the Elixir course (see deploy/README.md).

One machine, one Unix account per student and instructor (PAM login,
LocalProcessSpawner), the nbgrader exchange on shared storage, and the
instructors' formgrader running as a hub-managed service under the
instructor's account. Paths and names come from the environment so the same
file serves several terms.
"""

import os

c = get_config()  # noqa: F821  (provided by JupyterHub's config loader)

COURSE_ID = os.environ.get("COURSE_ID", "elixir-day-two")
COURSE_ROOT = os.environ.get("COURSE_ROOT", f"/home/grader-{COURSE_ID}/{COURSE_ID}")  # instructor's clone
GRADER_USER = os.environ.get("COURSE_GRADER_USER", f"grader-{COURSE_ID}")
VENV = os.environ.get("COURSE_VENV", "/opt/elixir-course/.venv")  # readable by every user
FORMGRADER_PORT = int(os.environ.get("COURSE_FORMGRADER_PORT", "9999"))

c.JupyterHub.bind_url = os.environ.get("JUPYTERHUB_BIND_URL", "http://:8000")
c.JupyterHub.authenticator_class = "jupyterhub.auth.PAMAuthenticator"
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [f"{VENV}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"PATH": f"{VENV}/bin:/usr/local/bin:/usr/bin:/bin"}
c.Spawner.notebook_dir = "~"

# Who is who: instructors (and TAs) see the formgrader, students do not.
instructors = {u for u in os.environ.get("COURSE_INSTRUCTORS", "instructor").split(",") if u}
students = {u for u in os.environ.get("COURSE_STUDENTS", "").split(",") if u}
c.Authenticator.allowed_users = instructors | students | {GRADER_USER}
c.Authenticator.admin_users = instructors

# The formgrader: `jupyter server` as the grader account in the course root,
# reached through the hub at /services/formgrader-COURSE_ID/.
c.JupyterHub.services = [
    {
        "name": f"formgrader-{COURSE_ID}",
        "url": f"http://127.0.0.1:{FORMGRADER_PORT}",
        "command": [f"{VENV}/bin/jupyterhub-singleuser", "--debug=False", f"--port={FORMGRADER_PORT}",
                    f"--ServerApp.root_dir={COURSE_ROOT}"],
        "user": GRADER_USER,
        "cwd": COURSE_ROOT,
        "environment": {"PATH": f"{VENV}/bin:/usr/bin:/bin",
                        "COURSE_EXCHANGE": os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")},
        "oauth_no_confirm": True,
    },
]
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE_ID}": {"users": sorted(instructors)},
    f"nbgrader-{COURSE_ID}": {"users": sorted(students | instructors)},
}
c.JupyterHub.load_roles = [
    {"name": f"formgrade-{COURSE_ID}", "groups": [f"formgrade-{COURSE_ID}"],
     "scopes": [f"access:services!service=formgrader-{COURSE_ID}"]},
    {"name": "jupyterhub-singleuser", "scopes": ["access:servers!user", "read:users:groups!user"]},
]
