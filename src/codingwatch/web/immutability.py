"""Records that cannot be rewritten: database triggers on the access trail and on final audits.

The `save()` and queryset overrides on the models give a clear error early; the guarantee is
here, in the database, where `QuerySet.update()`, `_base_manager`, `bulk_update` and raw SQL
all meet it:

- `accounts_accessevent` (the access trail) and `audits_auditevent` (an audit's steps): every
  UPDATE and DELETE is refused, whatever the row.
- `audits_audit`: UPDATE and DELETE of a row whose state is `final` are refused. Reopening a
  final audit inserts a new revision (a new row that names the final one), never edits it.
- `audits_auditcase` and `audits_finding`: INSERT, UPDATE and DELETE are refused when the row
  belongs (or would belong) to a final audit.
- PostgreSQL also refuses TRUNCATE of these tables (TRUNCATE fires no row triggers).

The same guard list is written out as SQLite and PostgreSQL triggers. django-pgtrigger would
write the PostgreSQL half only; SQLite, the embedded default, needs the same rules, so one
small definition renders both. Migrations install the triggers; `post_migrate` installs them
again, because SQLite rebuilds a table (dropping its triggers) when a later migration alters it.
Both database errors surface as `django.db.IntegrityError`.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

# The audit a case or finding row belongs to, in SQL (ROW is OLD or NEW).
_CASE_AUDIT_FINAL = "(SELECT a.state FROM audits_audit a WHERE a.id = {row}.audit_id) = 'final'"
_FINDING_AUDIT_FINAL = ("(SELECT a.state FROM audits_audit a JOIN audits_auditcase c ON c.audit_id = a.id "
                        "WHERE c.id = {row}.case_id) = 'final'")

TRAIL_MESSAGE = "the access trail is append-only: its rows are never changed or deleted"
EVENTS_MESSAGE = "audit events are append-only: they are never changed or deleted"
FINAL_MESSAGE = "the audit is final: its rows are never changed; reopening makes a new revision"


@dataclass(frozen=True)
class Guard:
    name: str  # the trigger's name (also its PostgreSQL function's)
    table: str
    operation: str  # INSERT, UPDATE or DELETE
    condition: str | None  # SQL over OLD/NEW; None: always refused
    message: str


def _row_guards(name: str, table: str, condition: str | None, message: str, operations: tuple[str, ...],
                *, old_only: bool = False):
    """One guard per operation; the condition holds for the row before (OLD) or, unless old_only, after (NEW)."""
    guards = []
    for op in operations:
        cond = condition
        if condition is not None:
            rows = {"INSERT": ("NEW",), "UPDATE": ("OLD",) if old_only else ("OLD", "NEW"), "DELETE": ("OLD",)}[op]
            cond = " OR ".join(f"({condition.format(row=row)})" for row in rows)
        guards.append(Guard(f"cw_guard_{name}_{op.lower()}", table, op, cond, message))
    return guards


ACCESS_TRAIL_GUARDS: list[Guard] = _row_guards("accessevent", "accounts_accessevent", None, TRAIL_MESSAGE,
                                               ("UPDATE", "DELETE"))
AUDIT_GUARDS: list[Guard] = [
    *_row_guards("auditevent", "audits_auditevent", None, EVENTS_MESSAGE, ("UPDATE", "DELETE")),
    # An audit becomes final by an UPDATE (its last); from then on its row is refused.
    *_row_guards("audit", "audits_audit", "{row}.state = 'final'", FINAL_MESSAGE, ("UPDATE", "DELETE"), old_only=True),
    *_row_guards("auditcase", "audits_auditcase", _CASE_AUDIT_FINAL, FINAL_MESSAGE, ("INSERT", "UPDATE", "DELETE")),
    *_row_guards("finding", "audits_finding", _FINDING_AUDIT_FINAL, FINAL_MESSAGE, ("INSERT", "UPDATE", "DELETE")),
]
# Tables PostgreSQL refuses to TRUNCATE (condition: None = always, else when any audit is final).
TRUNCATE_GUARDS = {
    "accounts_accessevent": (None, TRAIL_MESSAGE),
    "audits_auditevent": (None, EVENTS_MESSAGE),
    "audits_audit": ("EXISTS (SELECT 1 FROM audits_audit WHERE state = 'final')", FINAL_MESSAGE),
    "audits_auditcase": ("EXISTS (SELECT 1 FROM audits_audit WHERE state = 'final')", FINAL_MESSAGE),
    "audits_finding": ("EXISTS (SELECT 1 FROM audits_audit WHERE state = 'final')", FINAL_MESSAGE),
}
GROUPS = {"accounts": ACCESS_TRAIL_GUARDS, "audits": AUDIT_GUARDS}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sqlite_create(guard: Guard) -> list[str]:
    when = f" WHEN {guard.condition}" if guard.condition else ""
    return [f"CREATE TRIGGER IF NOT EXISTS {guard.name} BEFORE {guard.operation} ON {guard.table} FOR EACH ROW{when} "
            f"BEGIN SELECT RAISE(ABORT, {_quote(guard.message)}); END"]


def _pg_function(name: str, condition: str | None, message: str, returns: str) -> str:
    raise_ = f"RAISE EXCEPTION {_quote(message)} USING ERRCODE = 'restrict_violation';"
    body = f"IF {condition} THEN {raise_} END IF;" if condition else raise_
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $guard$ "
            f"BEGIN {body} RETURN {returns}; END $guard$")


def _pg_create(guard: Guard) -> list[str]:
    returns = "OLD" if guard.operation == "DELETE" else "NEW"
    return [
        _pg_function(guard.name, guard.condition, guard.message, returns),
        f"DROP TRIGGER IF EXISTS {guard.name} ON {guard.table}",
        f"CREATE TRIGGER {guard.name} BEFORE {guard.operation} ON {guard.table} FOR EACH ROW "
        f"EXECUTE FUNCTION {guard.name}()",
    ]


def _pg_truncate(table: str) -> list[str]:
    condition, message = TRUNCATE_GUARDS[table]
    name = f"cw_guard_{table}_truncate"
    return [
        _pg_function(name, condition, message, "NULL"),
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


def _tables(connection) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def create_sql(connection, guards: list[Guard]) -> list[str]:
    if connection.vendor == "sqlite":
        return [sql for guard in guards for sql in _sqlite_create(guard)]
    if connection.vendor == "postgresql":
        statements = [sql for guard in guards for sql in _pg_create(guard)]
        for table in dict.fromkeys(g.table for g in guards):
            statements += _pg_truncate(table)
        return statements
    raise NotImplementedError(f"no immutability triggers for the {connection.vendor} database")


def drop_sql(connection, guards: list[Guard]) -> list[str]:
    if connection.vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {guard.name}" for guard in guards]
    statements = []
    for guard in guards:
        statements += [f"DROP TRIGGER IF EXISTS {guard.name} ON {guard.table}", f"DROP FUNCTION IF EXISTS {guard.name}()"]
    for table in dict.fromkeys(g.table for g in guards):
        name = f"cw_guard_{table}_truncate"
        statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return statements


def install(connection, group: str) -> None:
    """Creates (or re-creates) the group's triggers on the tables that exist."""
    tables = _tables(connection)
    guards = [g for g in GROUPS[group] if g.table in tables]
    with connection.cursor() as cursor:
        for sql in create_sql(connection, guards):
            cursor.execute(sql)


def uninstall(connection, group: str) -> None:
    tables = _tables(connection)
    guards = [g for g in GROUPS[group] if g.table in tables]
    with connection.cursor() as cursor:
        for sql in drop_sql(connection, guards):
            cursor.execute(sql)


def installed(connection) -> set[str]:
    """The guard triggers present in the database (names)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cw_guard_%'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'cw_guard_%'")
        return {row[0] for row in cursor.fetchall()}


def expected() -> set[str]:
    return {g.name for group in GROUPS.values() for g in group}


@contextmanager
def lifted(connection):
    """Drops every guard for the block and puts them back after: only `flush` on a test database uses it."""
    for group in GROUPS:
        uninstall(connection, group)
    try:
        yield
    finally:
        for group in GROUPS:
            install(connection, group)


def migration_operation(group: str):
    """A RunPython operation installing the group's triggers (and dropping them when unapplied)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        install(schema_editor.connection, group)

    def backwards(apps, schema_editor):
        uninstall(schema_editor.connection, group)

    return migrations.RunPython(forwards, backwards)


def reinstall_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate of the accounts or audits app: its guards again (SQLite drops a table's
    triggers when a later migration rebuilds the table)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor in ("sqlite", "postgresql") and sender.label in GROUPS:
        install(connection, sender.label)
