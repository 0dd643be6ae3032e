"""Suite-wide pytest settings: the xdist groups that keep expensive fixtures on one worker."""

import pytest


def pytest_configure(config):
    # Registered here too, so runs without xdist (-p no:xdist) don't warn about it.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker (--dist loadgroup)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep `--dist loadgroup` groups together under pytest 9.

    pytest-xdist 3.8 groups tests by appending "@group" to `item._nodeid`, which
    pytest 9 no longer reads (node ids live in `item._id`), so every group is
    split across workers: the browser tests would start a JupyterLab and a
    grading run on each. Carry xdist's suffix over to the id pytest 9 uses
    (a no-op on pytest 8 and without xdist). Applies to every group of the suite."""
    for item in items:
        grouped = item.__dict__.get("_nodeid")
        current = getattr(item, "_id", None)
        if grouped and current is not None and grouped != item.nodeid and hasattr(type(current), "parse"):
            item._id = type(current).parse(grouped)
