"""Shared console output: Rich progress bars for long jobs, a one-line summary, or JSON with --json."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

console = Console(stderr=True, soft_wrap=True)   # messages and stage lines are not cut at 80 columns in logs
out = Console()


def _default(o: Any):
    if isinstance(o, (date, datetime)):
        return o.isoformat()
    if isinstance(o, Decimal):
        return float(o)
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "__dataclass_fields__"):
        return {k: getattr(o, k) for k in o.__dataclass_fields__}
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def to_json(data: Any) -> str:
    return json.dumps(data, default=_default, ensure_ascii=False, indent=2)


class _LineProgress(Progress):
    """Progress for output that is not a terminal (a log, `make demo | tee`, CI): Rich hides its bar there, so
    each stage prints a line when it starts and when it ends, with the time it took."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lines: dict = {}

    def add_task(self, description, *args, **kwargs):
        task_id = super().add_task(description, *args, **kwargs)
        self._lines[task_id] = [description, time.monotonic(), False]
        console.print(f"… {description}", highlight=False)
        return task_id

    def update(self, task_id, *args, **kwargs):
        super().update(task_id, *args, **kwargs)
        line = self._lines.get(task_id)
        task = self._tasks.get(task_id)
        if line and not line[2] and task is not None and task.total and task.completed >= task.total:
            line[2] = True
            console.print(f"✓ {line[0]} ({time.monotonic() - line[1]:.1f} s)", highlight=False)


@contextmanager
def progress(*, quiet: bool = False) -> Iterator[Progress]:
    """A Rich progress display on stderr (so --json output on stdout stays clean); stage lines instead when
    stderr is not a terminal (see _LineProgress), nothing with quiet."""
    columns = (SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    lines = not quiet and not console.is_terminal
    bar = (_LineProgress if lines else Progress)(*columns, console=console, disable=quiet or lines,
                                                 transient=False)
    with bar:
        yield bar


def stage_reporter(bar: Progress, labels: dict[str, str] | None = None, prefix: str = ""):
    """A `progress(stage, done, total)` callback, as the simulator and the import take, that shows one bar
    per stage on `bar`, labelled from `labels`."""
    tasks: dict[str, int] = {}
    labels = labels or {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(prefix + labels.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return report


def finish(result: dict, *, summary: str, as_json: bool) -> None:
    """End a command: machine-readable JSON on stdout, or one human summary line."""
    if as_json:
        sys.stdout.write(to_json(result) + "\n")
    else:
        out.print(summary)


def fail(message: str, *, as_json: bool = False, code: int = 1, **extra) -> None:
    import typer

    if as_json:
        sys.stdout.write(to_json({"ok": False, "error": message, **extra}) + "\n")
    else:
        console.print(f"[bold red]错误 / error:[/] {message}")
    raise typer.Exit(code)
