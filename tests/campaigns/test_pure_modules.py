"""The computation modules know no Django, so they run from the CLI, a job, a notebook or Spark."""

from __future__ import annotations

import subprocess
import sys

PURE = ["holdout", "lift", "lint", "outcomes", "report", "calibration", "uplift", "senders", "scripts"]


def test_pure_modules_import_without_django():
    code = ("import sys\n" + "".join(f"import panhuo.campaigns.{m}\n" for m in PURE)
            + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
              "assert not bad, bad\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
