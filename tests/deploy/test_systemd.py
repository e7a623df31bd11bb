"""The production units (deploy/systemd) pass `systemd-analyze verify`, their timers fire when docs/deploy.md
says, and every command they start exists with the options they pass."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from panhuo.cli import app

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
INSTALLED = "/opt/panhuo/venv/bin/panhuo"
needs_systemd = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                   reason="systemd-analyze is not installed (apt-get install systemd)")


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


@needs_systemd
def test_units_verify(tmp_path):
    # verify wants each ExecStart to exist: stand a stub in for the installed panhuo
    stub = tmp_path / "bin" / "panhuo"
    stub.parent.mkdir()
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    for unit in UNITS.glob("panhuo-*.*"):
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(stub)))
    units = sorted(str(p) for p in tmp_path.glob("panhuo-*.*"))
    assert len(units) == 7
    proc = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


@needs_systemd
@pytest.mark.parametrize(("timer", "first", "runs_per_day"), [
    ("panhuo-daily.timer", "01:30:00", 1), ("panhuo-campaigns.timer", "09:00:00", 11),
    ("panhuo-backup.timer", "04:00:00", 1)])
def test_timers_fire_in_their_hours(timer, first, runs_per_day):
    spec = _unit(timer)["Timer"]["OnCalendar"]
    proc = subprocess.run(["systemd-analyze", "calendar", "--iterations=30", spec], capture_output=True, text=True,
                          check=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"})
    times = [line.split()[-2] for line in proc.stdout.splitlines() if "Iter." in line or "Next elapse" in line]
    hours = sorted(set(times))
    assert hours[0] == first and len(hours) == runs_per_day
    if timer == "panhuo-campaigns.timer":     # contact hours only: nobody is messaged at night
        assert hours[-1] == "19:00:00"


@pytest.mark.parametrize("service", ["panhuo-web.service", "panhuo-daily.service", "panhuo-campaigns.service",
                                     "panhuo-backup.service"])
def test_each_unit_starts_a_real_command(service):
    unit = _unit(service)
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert argv[0] == INSTALLED
    assert unit["Service"]["User"] == "panhuo" and unit["Service"]["UMask"] == "0077"
    assert unit["Service"]["EnvironmentFile"] == "/etc/panhuo/panhuo.env"
    # click rejects an unknown command or option before it prints the help
    result = CliRunner().invoke(app, [*argv[1:], "--help"])
    assert result.exit_code == 0, result.output
    timer = UNITS / service.replace(".service", ".timer")
    assert timer.exists() == (service != "panhuo-web.service")


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx is not installed (apt-get install nginx)")
def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    key, crt = tmp_path / "panhuo.key", tmp_path / "panhuo.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=panhuo.branch.example", "-keyout", str(key), "-out", str(crt)], check=True,
                   capture_output=True)
    site = (UNITS.parent / "nginx" / "panhuo.conf").read_text()
    assert "X-Forwarded-Proto $scheme" in site      # what PANHUO_BEHIND_PROXY trusts
    site = site.replace("/etc/ssl/panhuo/panhuo.crt", str(crt)).replace("/etc/ssl/panhuo/panhuo.key", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log stderr; events {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path};\n"
        f"  fastcgi_temp_path {tmp_path}; uwsgi_temp_path {tmp_path}; scgi_temp_path {tmp_path};\n"
        f"  include {tmp_path}/site.conf; }}\n")
    proc = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "syntax is ok" in proc.stderr
