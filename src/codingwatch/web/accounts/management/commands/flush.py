"""`flush` that knows the database refuses to delete final audits and the access trail.

Django's `flush` empties every table with DELETE (SQLite) or TRUNCATE (PostgreSQL), which the
immutability triggers refuse once a final audit or a trail row exists. On a test database
(what the test runner flushes between tests) the triggers are lifted for the flush and put
back after it; on any other database the command refuses: final audits and the access trail
are not wiped from the app.
"""

from __future__ import annotations

from django.core.management import CommandError
from django.core.management.commands import flush
from django.db import connections

from codingwatch.web import immutability


def is_test_database(connection) -> bool:
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return True
    return name.rsplit("/", 1)[-1].startswith("test_")


class Command(flush.Command):
    help = flush.Command.help + " Refused outside a test database: final audits and the access trail are kept."

    def handle(self, **options):
        connection = connections[options["database"]]
        if not is_test_database(connection):
            raise CommandError("flush would delete final audits and the access trail, which the database keeps "
                               "for good; it runs on test databases only")
        with immutability.lifted(connection):
            super().handle(**options)
