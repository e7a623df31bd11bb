"""`panhuo serve --workers N`: several worker processes behind one port, with gunicorn.

One Python process runs Python on one core at a time (the GIL), so waitress's threads alone cannot use a second
core: at 50 advisors clicking every one to two seconds the pages queue behind each other (docs/benchmarks.md,
web.*). gunicorn forks worker processes that share the listening socket and restarts one that dies; each worker
runs `threads` requests at once (its gthread worker). gunicorn is Unix-only, so one worker (the default on
SQLite, which takes one writer at a time anyway) stays on waitress in this process.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        # Imported in each worker after the fork: no database connection is shared between processes.
        from panhuo.wsgi import application

        return application


def serve_workers(*, host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped (SIGTERM or Ctrl+C stops the workers gracefully)."""
    _Gunicorn({
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers, "threads": threads, "worker_class": "gthread",
        # A page that has not answered in 60 s is stuck: the worker is replaced rather than left holding a slot.
        "timeout": 60, "graceful_timeout": 30,
        # An idle kept-alive connection stays open longer than nginx keeps its side (60 s): if the server closed
        # first, a request sent at that moment would meet a reset (the bench saw it at gunicorn's default 2 s).
        # gthread workers hold idle connections in their poller, not in a thread.
        "keepalive": 75,
        "proc_name": "panhuo", "accesslog": None, "errorlog": "-", "loglevel": "warning",
        # The daily run and imports are separate commands: a worker only serves pages, so recycling it after many
        # requests (with jitter, so they do not restart together) bounds any slow growth of its memory.
        "max_requests": 20_000, "max_requests_jitter": 2_000,
    }).run()
