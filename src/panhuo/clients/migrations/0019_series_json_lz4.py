"""PostgreSQL: the 360 series' JSON columns compressed with lz4 instead of pglz, as the snapshots' (0017).

A client's series (a year of weeks, trading days, transfers, positions) is over the inline limit, so each of
the million rows the daily run rewrites is compressed. The write compresses in its staging table
(workbench.services.series) and the values keep that compression when they move into this table; the columns
say lz4 so that every other write does the same. Metadata only, no table rewrite; elsewhere nothing changes.
"""

from django.db import migrations

from panhuo.bulk import toast_lz4

COLUMNS = ("weeks", "transfers", "trade_days", "positions")


def _compression(method: str):
    def run(apps, schema_editor):
        if not toast_lz4(schema_editor.connection):
            return
        model = apps.get_model("clients", "ClientSeries")
        quote = schema_editor.quote_name
        alters = ", ".join(f"ALTER COLUMN {quote(model._meta.get_field(c).column)} SET COMPRESSION {method}"
                           for c in COLUMNS)
        schema_editor.execute(f"ALTER TABLE {quote(model._meta.db_table)} {alters}")
    return run


class Migration(migrations.Migration):

    dependencies = [("clients", "0018_snapshot_partial_indexes")]

    operations = [migrations.RunPython(_compression("lz4"), _compression("pglz"))]
