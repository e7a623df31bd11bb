"""Start Django from the CLI or a script, once."""

import os

_ready = False


def setup() -> None:
    global _ready
    if _ready:
        return
    from panhuo.config import owner_only_files

    owner_only_files()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
    import django

    django.setup()
    _ready = True


NOT_MIGRATED = ("运行 panhuo migrate 先升级数据库 / run `panhuo migrate` first: the operational store is missing or "
                "older than this panhuo ({n} migrations to apply)")


def pending_migrations() -> list[str]:
    """Migrations the operational store has not applied yet, as "app.name" (all of them for a new store).

    A SQLite file that does not exist yet is not created by asking (no empty file is left behind)."""
    setup()
    from pathlib import Path

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.loader import MigrationLoader

    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        return [f"{app}.{name}" for app, name in sorted(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)]
    executor = MigrationExecutor(connection)
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]


def require_migrated(*, as_json: bool = False) -> None:
    """For commands that write the stores: set Django up, and stop with a clear message (exit code 4) when the
    operational store needs `panhuo migrate`, before anything is written, instead of failing on a missing table
    halfway through (an import would have committed the analytical store by then)."""
    pending = pending_migrations()
    if pending:
        from panhuo.cli.output import fail

        fail(NOT_MIGRATED.format(n=len(pending)), as_json=as_json, code=4, pending=pending)
