"""The `panhuo` command line. Each module attaches its commands to the shared Typer app."""

from panhuo.cli import (  # noqa: F401,E402  (registers commands)
    admin,
    allocate,
    audit,
    backup,
    campaign,
    clients,
    complaints,
    daily,
    demo,
    ingest,
    lake,
    market,
    report,
    simulate,
    suitability,
    surveys,
    training,
    users,
)
from panhuo.cli.app import app


def main() -> None:
    from panhuo.config import owner_only_files

    owner_only_files()   # before any command writes: stores, journal and exports are owner-only (0600/0700)
    app()
