"""Operational-store housekeeping: migrate, check, serve."""

from __future__ import annotations

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
    threads: int = typer.Option(8, help="Worker threads."),
) -> None:
    """Serve the web app with a production WSGI server (waitress)."""
    from panhuo.django_setup import setup

    setup()
    from waitress import serve as waitress_serve

    from panhuo.wsgi import application

    console.print(f"panhuo serving on [bold]http://{host}:{port}/[/]  (Ctrl+C to stop)")
    waitress_serve(application, host=host, port=port, threads=threads, ident="panhuo")
