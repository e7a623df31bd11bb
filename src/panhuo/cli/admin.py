"""Operational-store housekeeping: migrate, check, serve."""

from __future__ import annotations

import os
import sys

import typer

from panhuo.cli.app import app
from panhuo.cli.output import console


@app.command()
def migrate(verbose: bool = typer.Option(False, "--verbose", "-v", help="List each migration applied.")) -> None:
    """Create or upgrade the operational store's tables (Django migrations) and the analytical schema."""
    from panhuo.django_setup import setup

    setup()
    from django.core.management import call_command

    from panhuo.warehouse import open_warehouse

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)
    with open_warehouse():
        pass
    console.print("[green]✓[/] operational and analytical stores are up to date")


@app.command()
def check(deploy: bool = typer.Option(False, "--deploy", help="Also run Django's deployment checks.")) -> None:
    """Run Django's system checks; with --deploy, any warning fails (production settings from the environment)."""
    from panhuo.django_setup import setup

    setup()
    from django.core.management import call_command

    call_command("check", deploy=deploy, fail_level="WARNING")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    threads: int = typer.Option(8, help="Threads per worker process."),
    workers: int = typer.Option(0, min=0, help="Worker processes: 0 = one per core on PostgreSQL, one on SQLite."),
) -> None:
    """Serve the web app with a production WSGI server: waitress for one worker, gunicorn for several.

    HTTPS is on by default (PANHUO_HTTPS): plain-HTTP requests are redirected to https://, which a TLS proxy in
    front answers. To try it on plain HTTP: PANHUO_HTTPS=0 panhuo serve.
    """
    serve_app(host=host, port=port, threads=threads, workers=workers)


def serve_app(*, host: str = "127.0.0.1", port: int = 8000, threads: int = 8, workers: int = 0) -> None:
    """What `panhuo serve` does, as a plain function: `panhuo demo` serves through it too. (A Typer command
    called from Python gets its options' OptionInfo objects as defaults, not their values; a missed one broke
    `make demo` once.)"""
    port_check(host=host, port=port)
    from panhuo.django_setup import setup

    setup()
    from django.conf import settings
    from waitress import serve as waitress_serve

    if not workers:
        # One process runs Python on one core; PostgreSQL takes many writers, SQLite one at a time.
        workers = (os.cpu_count() or 1) if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else 1
    if settings.HTTPS:
        console.print(f"panhuo serving on [bold]{host}:{port}[/] behind HTTPS: plain-HTTP requests are redirected to "
                      "https:// (PANHUO_HTTPS is on, the default, for a TLS proxy in front).\n"
                      f"  To try it on plain HTTP: [bold]PANHUO_HTTPS=0 panhuo serve --port {port}[/]  (Ctrl+C to stop)")
    else:
        console.print(f"panhuo serving on [bold]http://{host}:{port}/[/] (plain HTTP, PANHUO_HTTPS=0)  "
                      "(Ctrl+C to stop)")
    if workers > 1 and sys.platform != "win32":
        from django.db import connections

        from panhuo.cli.serving import serve_workers

        connections.close_all()   # the workers fork from this process: none may inherit its connection
        console.print(f"  {workers} worker processes × {threads} threads (gunicorn)")
        serve_workers(host=host, port=port, workers=workers, threads=threads)
        return
    from panhuo.wsgi import application

    waitress_serve(application, host=host, port=port, threads=threads, ident="panhuo")


def port_check(*, host: str, port: int) -> None:
    """Stop with a clear message when the port is taken, before anything else starts."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            console.print(f"[bold red]Port {port} on {host} is already in use[/] ({exc.strerror}): another panhuo "
                          "or another program is serving there.\n"
                          f"  Stop it, or choose another port: [bold]panhuo serve --port {port + 1}[/] "
                          f"(with make: [bold]make demo PORT={port + 1}[/]).")
            raise typer.Exit(2) from exc
