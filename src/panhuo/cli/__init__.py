"""The `panhuo` command line. Each module attaches its commands to the shared Typer app."""

from panhuo.cli import admin, campaign, daily, demo, ingest, market, simulate, users  # noqa: F401,E402  (registers commands)
from panhuo.cli.app import app


def main() -> None:
    app()
