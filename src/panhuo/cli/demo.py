"""`panhuo demo`: a simulated branch, loaded through the real import path, scored, served.

A second run reuses what exists (same size and seed) unless --rebuild is given.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import typer

from panhuo.cli.app import app
from panhuo.cli.output import console, progress, stage_reporter

DEMO_PASSWORD_ENV = "PANHUO_DEMO_PASSWORD"
# Must pass the password rules (AUTH_PASSWORD_VALIDATORS) like every other password.
DEMO_PASSWORD_DEFAULT = "panhuo-demo-2026"


@app.command()
def demo(
    clients: int = typer.Option(20_000, help="Clients in the simulated branch."),
    years: int = typer.Option(2, help="Years of simulated history."),
    seed: int = typer.Option(20261128, help="Random seed of the simulation."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Throw away the demo data and build it again."),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Serve the app when ready."),
    host: str = typer.Option("127.0.0.1", help="Address to serve on."),
    port: int = typer.Option(8000, help="Port to serve on."),
) -> None:
    """Set up a simulated branch end to end and serve it (http://127.0.0.1:8000/ by default)."""
    from panhuo.config import panhuo_home, sqlite_path, warehouse_path

    # The demo serves plain http on the loopback interface; production keeps PANHUO_HTTPS on.
    os.environ.setdefault("PANHUO_HTTPS", "0")
    if serve_after:      # a busy port is said before minutes of building, not after
        from panhuo.cli.admin import port_check

        port_check(host=host, port=port)
    home = panhuo_home()
    demo_dir = home / "demo"
    marker = demo_dir / "demo.json"
    params = {"clients": clients, "years": years, "seed": seed}
    existing = json.loads(marker.read_text()) if marker.exists() else None
    if rebuild or (existing is not None and existing != params):
        if not os.environ.get("DATABASE_URL"):
            sqlite_path().unlink(missing_ok=True)
        warehouse_path().unlink(missing_ok=True)
        shutil.rmtree(demo_dir, ignore_errors=True)
        existing = None
        console.print("[yellow]rebuilding the demo branch[/]")

    from panhuo.django_setup import setup

    setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    password = os.environ.get(DEMO_PASSWORD_ENV, DEMO_PASSWORD_DEFAULT)
    from panhuo.accounts.services import UserError, password_check

    try:   # before the long build, not after it
        password_check(password=password)
    except UserError as exc:
        console.print(f"[bold red]{DEMO_PASSWORD_ENV}:[/] {exc}")
        raise typer.Exit(2) from exc

    if existing is None:
        _build(demo_dir, clients=clients, years=years, seed=seed, password=password)
        marker.write_text(json.dumps(params))
    else:
        console.print(f"reusing the demo branch in {demo_dir} (use --rebuild to start again)")

    from panhuo.accounts.services import demo_users_create

    users = demo_users_create(password=password)
    console.print(
        f"[green]✓[/] demo users: manager, director, compliance, admin, advisor01 … advisor{users.advisors:02d}"
        f"  password: [bold]{password}[/] (set {DEMO_PASSWORD_ENV} to change it)"
    )
    if serve_after:
        from panhuo.cli.admin import serve_app

        serve_app(host=host, port=port)


def _build(demo_dir: Path, *, clients: int, years: int, seed: int, password: str) -> None:
    from panhuo.accounts.services import demo_users_create
    from panhuo.analytics.pipeline import latest_data_date
    from panhuo.daily import daily_run
    from panhuo.imports.services import import_batch
    from panhuo.simulate import SimConfig, simulate
    from panhuo.warehouse import open_warehouse

    sim_dir = demo_dir / "simulated"
    with progress() as bar:
        summary = simulate(SimConfig(clients=clients, years=years, seed=seed), sim_dir, export=True,
                           progress=stage_reporter(bar, prefix="simulate: "))
        batch = import_batch(paths=[sim_dir / "export"], profile="simulator",
                             progress=stage_reporter(bar, prefix="import: "))
        with open_warehouse() as wh:
            as_of = latest_data_date(wh)
            # Analytics, snapshots, the workbench's series and tasks, the market page; adds its own progress task.
            outcome = daily_run(wh=wh, as_of=as_of, progress=bar)
        # The seeders act through the features' services as the demo staff (a director handles complaints), so the
        # users exist first; the call after the build only refreshes them.
        demo_users_create(password=password)
        seeded = _demo_seed(as_of=as_of, seed=seed, bar=bar)
    console.print(
        f"[green]✓[/] simulated {clients:,} clients over {years} years ({summary.rows.get('trades', 0):,} trades), "
        f"imported batch {batch.key} ({batch.status}), scored {outcome.snapshots_written:,} clients as of {as_of}, "
        f"{outcome.workbench['tasks']['created']:,} tasks created, "
        f"market: {outcome.market.get('regime', outcome.market_skipped)}"
    )
    for line in seeded:
        console.print(f"[green]✓[/] {line}")


def _demo_seed(*, as_of, seed: int, bar) -> list[str]:
    """Each feature's demo records (clients.registry demo seeders), one progress step each."""
    from panhuo.clients.registry import demo_seeders

    seeders = demo_seeders()
    task = bar.add_task("demo records", total=len(seeders))
    lines = []
    for name, seeder in seeders:
        bar.update(task, description=f"demo records: {name}")
        line = seeder(as_of=as_of, seed=seed)
        if line:
            lines.append(line)
        bar.advance(task)
    return lines
