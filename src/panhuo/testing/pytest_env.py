"""Loaded by pytest with `-p panhuo.testing.pytest_env` (see pyproject), before pytest-django reads settings.

Settings read PANHUO_HOME when they are imported, so a conftest is too late to point a run at its own folder:
without this, runs started side by side would share ./var and break each other's test databases.
"""

import os
import tempfile

os.environ.setdefault("PANHUO_HOME", tempfile.mkdtemp(prefix="panhuo-test-"))
os.environ.setdefault("PANHUO_HTTPS", "0")   # the test client speaks plain http
