"""The computation modules know no Django, so they run from the CLI, a job, a notebook or Spark.

import-linter forbids the direct imports; this also catches an indirect one (a helper that pulls Django in)."""

from __future__ import annotations

import subprocess
import sys

PURE = [f"panhuo.measure.{m}" for m in ("holdout", "lift", "outcomes", "report", "calibration", "uplift",
                                          "incentive")] + \
       [f"panhuo.outreach.{m}" for m in ("lint", "senders", "scripts")]


def test_pure_modules_import_without_django():
    code = ("import sys\n" + "".join(f"import {m}\n" for m in PURE)
            + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
              "assert not bad, bad\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
