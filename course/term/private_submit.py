"""`nbgrader submit` whose submissions other students cannot read.

nbgrader's default exchange makes the inbound folder 0733 (students can
write, not list) but then makes each submission folder 0777 and its files
0644 (nbgrader issues #978 and #1225): any student who learns or guesses a
folder name ("STUDENT+ASSIGNMENT+TIMESTAMP+RANDOM") can read, even delete,
another student's work. This subclass copies the submission into a private
(0700) staging folder inside inbound, closes its permissions and only then
renames it into place:

- folders 2770, files 0640, group = the inbound folder's group (inbound is
  set-group-id, so this is the instructor's group): the instructor can
  collect and clean up, other students (not in that group) get nothing;
- the copy in the student's own cache is unchanged (nbgrader's logic).

Enabled for both `nbgrader submit` and JupyterLab's Assignments tab with
`c.ExchangeFactory.submit = "course.term.private_submit.PrivateExchangeSubmit"`.
"""

from __future__ import annotations

import os
import secrets
import shutil

from nbgrader.exchange.default.submit import ExchangeSubmit

DIR_MODE = 0o2770
FILE_MODE = 0o640


def close_permissions(top: str) -> None:
    """Folders 2770, files 0640 below and including `top`."""
    for dirname, _, filenames in os.walk(top):
        for name in filenames:
            os.chmod(os.path.join(dirname, name), FILE_MODE)
        os.chmod(dirname, DIR_MODE)


class PrivateExchangeSubmit(ExchangeSubmit):
    """ExchangeSubmit with submissions readable only by their author and the instructors' group."""

    def copy_files(self):
        self.init_release()
        submission_secret = secrets.token_hex(64)
        dest_path = os.path.join(self.inbound_path, self.assignment_filename)
        if self.add_random_string:
            cache_path = os.path.join(self.cache_path, self.assignment_filename.rsplit('+', 1)[0])
        else:
            cache_path = os.path.join(self.cache_path, self.assignment_filename)

        self.log.info("Source: {}".format(self.src_path))
        self.log.info("Destination: {}".format(dest_path))
        self.check_filename_diff()

        old_umask = os.umask(0o077)
        staging = os.path.join(self.inbound_path, ".staging-" + secrets.token_hex(16))
        try:
            # 0700 by the umask: nobody else can traverse it while files are
            # copied. No chmod here: a chmod by a non-member of the inbound
            # group would drop the inherited set-group-id bit, and the copy
            # would then belong to the student's group, not the instructors'.
            os.mkdir(staging, 0o700)
            # The two marker files are created in the staging folder (which
            # kept the set-group-id bit) and moved in after the copy:
            # copytree's final copystat chmods the copy and so drops that bit,
            # and files created in it afterwards would get the student's group.
            for name, text in (("timestamp.txt", self.timestamp), ("submission_secret.txt", submission_secret)):
                with open(os.path.join(staging, name), "w") as fh:
                    fh.write(text)
            work = os.path.join(staging, "submission")
            self.do_copy(self.src_path, work)
            for name in ("timestamp.txt", "submission_secret.txt"):
                os.rename(os.path.join(staging, name), os.path.join(work, name))
            close_permissions(work)
            os.rename(work, dest_path)
        finally:
            os.umask(old_umask)
            shutil.rmtree(staging, ignore_errors=True)

        # the student's own cache copy, as nbgrader does it
        if not os.path.isdir(self.cache_path):
            os.makedirs(self.cache_path)
        self.do_copy(self.src_path, cache_path)
        with open(os.path.join(cache_path, "timestamp.txt"), "w") as fh:
            fh.write(self.timestamp)
        with open(os.path.join(cache_path, "submission_secret.txt"), "w") as fh:
            fh.write(submission_secret)

        self.log.info("Submitted as: {} {} {}".format(
            self.coursedir.course_id, self.coursedir.assignment_id, str(self.timestamp)
        ))
