"""Django's `flush`, which the audit trail's triggers would refuse (it deletes every row of every table).

Emptying the whole database is an administrator's act outside the application, not an edit of the trail:
the triggers are lifted for the flush and put back after it, whatever its outcome. Django's test runner
flushes between transactional tests through this command.
"""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from panhuo.audit.triggers import triggers_create, triggers_drop, triggers_present


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        present = triggers_present(connection)
        if present:
            triggers_drop(connection)
        try:
            return super().handle(**options)
        finally:
            if present:
                triggers_create(connection)
