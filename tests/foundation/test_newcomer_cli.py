"""A newcomer's first minutes (issue 19): `make demo` shows progress in a log too, a busy port is said plainly with
the way out, `panhuo serve` says what HTTPS does, and --help reads cleanly."""

from __future__ import annotations

import io
import socket

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner


def test_progress_prints_stage_lines_when_the_output_is_not_a_terminal(monkeypatch):
    import panhuo.cli.output as output

    buf = io.StringIO()                    # not a terminal: Rich would hide its bar
    monkeypatch.setattr(output, "console", Console(file=buf, soft_wrap=True))
    with output.progress() as bar:
        report = output.stage_reporter(bar, prefix="simulate: ")
        report("clients", 0, 10)
        report("clients", 10, 10)
    text = buf.getvalue()
    assert "… simulate: clients" in text and "✓ simulate: clients" in text
    buf.truncate(0)
    with output.progress(quiet=True) as bar:
        output.stage_reporter(bar)("x", 1, 1)
    assert buf.getvalue().strip("\x00") == ""


def test_a_busy_port_stops_with_the_way_out(monkeypatch):
    import panhuo.cli.admin as admin

    buf = io.StringIO()
    monkeypatch.setattr(admin, "console", Console(file=buf, soft_wrap=True))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(typer.Exit) as exc:
            admin.port_check(host="127.0.0.1", port=port)
    assert exc.value.exit_code == 2
    assert f"Port {port} on 127.0.0.1 is already in use" in buf.getvalue()
    assert f"make demo PORT={port + 1}" in buf.getvalue()


def test_help_texts_say_https_and_carry_no_type_noise():
    from panhuo.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "PANHUO_HTTPS=0 panhuo serve" in result.output
    assert "<bool>" not in result.output and "│" not in result.output
    assert not [line for line in result.output.splitlines() if line != line.rstrip()]


def test_make_demo_takes_a_port():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "PORT ?= 8000" in makefile and "panhuo demo --port $(PORT)" in makefile
