"""`panhuo serve`: several worker processes behind one port (gunicorn), stopped cleanly by SIGTERM as systemd does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn is Unix-only")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read().decode()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_two_workers_serve_pages_and_stop_on_sigterm(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    env.update({"PANHUO_HOME": str(tmp_path), "PANHUO_HTTPS": "0"})
    cli = [sys.executable, "-m", "panhuo.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "2", "--threads", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, answer = time.time() + 60, None
        while answer is None and time.time() < deadline:
            try:
                answer = _get(f"http://127.0.0.1:{port}/health/")
            except OSError:
                time.sleep(0.3)
        assert answer is not None, "the server did not answer"
        assert answer[0] == 200 and '"operational_store": "ok"' in answer[1]
        # The arbiter (the panhuo process) and two workers forked from it.
        assert len(_children(server.pid)) == 2
        # A page, not only the health check: the log-in page is drawn by a worker with its own connection.
        status, body = _get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200 and "csrfmiddlewaretoken" in body
    finally:
        server.send_signal(signal.SIGTERM)
        out = server.communicate(timeout=60)[0]
    assert server.returncode == 0, out
    assert "2 worker processes" in out
