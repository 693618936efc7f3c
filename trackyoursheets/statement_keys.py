"""Foreign keys the database checks once per statement instead of once per row (issue 13 point 14).

PostgreSQL checks an ordinary foreign key with a trigger per inserted row: a lookup and a lock
in the referenced table for every key of every row. For the tables written 100,000 rows at a
time (the rows of a statement import, and the ledger lines its finalise writes) that was about
0.35 s per key and 100,000 rows, most of it spent looking up the same organisation, carrier and
few hundred producers again and again. A :class:`CheckedForeignKey` is still a foreign key for
Django (joins, ``on_delete``, admin, forms) but carries no constraint of its own: the triggers
that :func:`install` puts in place after every ``migrate`` enforce it instead.

On PostgreSQL:

- **insert** (``COPY`` included): one trigger per statement reads the statement's new rows (a
  transition table), takes each key column's distinct values, locks them in the referenced
  table ``FOR KEY SHARE`` (as the built-in check does, so that a concurrent delete waits for
  this transaction) and refuses the statement if one is missing;
- **update** of a key column to another value: a deferred constraint trigger per row, as the
  built-in check (rows whose key does not change are not looked at);
- **delete** from a referenced table: one trigger per statement refuses to leave a row pointing
  at a deleted one; changing a referenced primary key is refused likewise.

A refusal is SQLSTATE 23503 (``foreign_key_violation``), which Django raises as
``IntegrityError``, with the built-in check's message and detail. Unlike Django's own
(deferred) constraints, the insert and delete checks run at the end of the statement rather
than at commit: nothing here inserts a row before what it points at, or deletes a referenced
row before its references (Django's deletion collector removes or detaches them first).

On SQLite (development and the tests' default) row triggers check inserts and updates of the
key columns; deletes of referenced rows are left to Django's ``on_delete`` (a flush there
empties tables one by one, in no particular order).

The triggers are named ``tys_key_…``; :func:`install` drops and recreates all of them when
their definition changed (a version function records which), so it is safe to run after
every migration, in either direction, and on a database built without migrations.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import connections, models, transaction

__all__ = ["CheckedForeignKey", "install", "uninstall"]

PREFIX = "tys_key"


class CheckedForeignKey(models.ForeignKey):
    """A ``ForeignKey`` checked by the statement-level triggers of this module instead of a
    per-row constraint (``db_constraint`` is always off)."""

    def __init__(self, *args, **kwargs):
        kwargs["db_constraint"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("db_constraint", None)
        return name, path, args, kwargs


@dataclass(frozen=True)
class _Key:
    table: str  # the referencing table
    column: str
    parent: str  # the referenced table
    parent_column: str
    db_type: str  # of the referenced column (bigint, uuid, ...)

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


def _keys(connection) -> list[_Key]:
    found = []
    for model in global_apps.get_models():
        for field in model._meta.local_concrete_fields:
            if isinstance(field, CheckedForeignKey):
                target = field.target_field
                found.append(
                    _Key(
                        table=model._meta.db_table,
                        column=field.column,
                        parent=field.related_model._meta.db_table,
                        parent_column=target.column,
                        db_type=target.rel_db_type(connection),
                    )
                )
    return sorted(found, key=lambda key: (key.table, key.column))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _short(kind: str, table: str, extra: str = "") -> str:
    """A trigger or function name within PostgreSQL's 63 characters, unique per table."""
    digest = hashlib.sha1(f"{table}.{extra}".encode()).hexdigest()[:8]
    return f"{PREFIX}_{kind}_{table[:36]}_{digest}"


# --- PostgreSQL ------------------------------------------------------------------------------

_ROW_CHECK = f"""
CREATE OR REPLACE FUNCTION {PREFIX}_row_check() RETURNS trigger LANGUAGE plpgsql AS $fn$
-- TG_ARGV: the key column, the referenced table, its column, the column's type
DECLARE
    value text := to_jsonb(NEW) ->> TG_ARGV[0];
    hit integer;
BEGIN
    IF value IS NOT NULL THEN
        EXECUTE format('SELECT 1 FROM %I WHERE %I = $1::%s FOR KEY SHARE', TG_ARGV[1], TG_ARGV[2], TG_ARGV[3])
            INTO hit USING value;
        IF hit IS NULL THEN
            RAISE EXCEPTION 'insert or update on table "%" violates foreign key "%"', TG_TABLE_NAME, TG_NAME
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[0], value, TG_ARGV[1]);
        END IF;
    END IF;
    RETURN NULL;
END $fn$
"""

_PARENT_ID_CHANGE = f"""
CREATE OR REPLACE FUNCTION {PREFIX}_parent_id_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
-- TG_ARGV: the referenced column, its type, then pairs of referencing table and column
DECLARE
    value text := to_jsonb(OLD) ->> TG_ARGV[0];
    hit integer;
    i integer := 2;
BEGIN
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT 1 FROM %I WHERE %I = $1::%s LIMIT 1', TG_ARGV[i], TG_ARGV[i + 1], TG_ARGV[1])
            INTO hit USING value;
        IF hit IS NOT NULL THEN
            RAISE EXCEPTION 'update or delete on table "%" violates foreign key "%" on table "%"',
                TG_TABLE_NAME, TG_ARGV[i] || '.' || TG_ARGV[i + 1], TG_ARGV[i]
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (%s)=(%s) is still referenced from table "%s".',
                                      TG_ARGV[0], value, TG_ARGV[i]);
        END IF;
        i := i + 2;
    END LOOP;
    RETURN NULL;
END $fn$
"""


def _insert_check(table: str, keys: list[_Key]) -> list[str]:
    function = _short("ins", table)
    declare = "\n".join(f"    keys_{n} {key.db_type}[];" for n, key in enumerate(keys))
    collect = ", ".join(
        f"array_agg(DISTINCT {_q(key.column)}) FILTER (WHERE {_q(key.column)} IS NOT NULL)" for key in keys
    )
    into = ", ".join(f"keys_{n}" for n in range(len(keys)))
    checks = []
    for n, key in enumerate(keys):
        parent, column = _q(key.parent), _q(key.parent_column)
        checks.append(
            f"""
    IF keys_{n} IS NOT NULL AND cardinality(keys_{n}) > (
        SELECT count(*) FROM (
            SELECT 1 FROM {parent} p WHERE p.{column} = ANY(keys_{n}) FOR KEY SHARE OF p
        ) locked
    ) THEN
        SELECT k::text INTO missing FROM unnest(keys_{n}) k
            WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{column} = k) LIMIT 1;
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key "%"', TG_TABLE_NAME,
            {_literal(key.name)}
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (%s)=(%s) is not present in table "%s".', {_literal(key.column)}, missing,
                                  {_literal(key.parent)});
    END IF;"""
        )
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
{declare}
    missing text;
BEGIN
    SELECT {collect} INTO {into} FROM new_rows;{"".join(checks)}
    RETURN NULL;
END $fn$""",
        f"CREATE TRIGGER {function} AFTER INSERT ON {_q(table)} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def _update_checks(key: _Key) -> list[str]:
    trigger = _short("upd", key.table, key.column)
    column = _q(key.column)
    args = ", ".join(_literal(v) for v in (key.column, key.parent, key.parent_column, key.db_type))
    return [
        f"CREATE CONSTRAINT TRIGGER {trigger} AFTER UPDATE OF {column} ON {_q(key.table)} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.{column} IS DISTINCT FROM NEW.{column}) "
        f"EXECUTE FUNCTION {PREFIX}_row_check({args})"
    ]


def _delete_check(parent: str, keys: list[_Key]) -> list[str]:
    function = _short("del", parent)
    pk = keys[0].parent_column
    checks = []
    for key in keys:
        checks.append(
            f"""
    SELECT o.{_q(pk)}::text INTO still FROM old_rows o
        WHERE EXISTS (SELECT 1 FROM {_q(key.table)} c WHERE c.{_q(key.column)} = o.{_q(pk)}) LIMIT 1;
    IF still IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "%" violates foreign key "%" on table "%"', TG_TABLE_NAME,
            {_literal(key.name)}, {_literal(key.table)}
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (%s)=(%s) is still referenced from table "%s".', {_literal(pk)}, still,
                                  {_literal(key.table)});
    END IF;"""
        )
    pairs = ", ".join(_literal(v) for key in keys for v in (key.table, key.column))
    change = _short("pk", parent)
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    still text;
BEGIN{"".join(checks)}
    RETURN NULL;
END $fn$""",
        f"CREATE TRIGGER {function} AFTER DELETE ON {_q(parent)} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {change} AFTER UPDATE OF {_q(pk)} ON {_q(parent)} FOR EACH ROW "
        f"WHEN (OLD.{_q(pk)} IS DISTINCT FROM NEW.{_q(pk)}) EXECUTE FUNCTION {PREFIX}_parent_id_change("
        f"{_literal(pk)}, {_literal(keys[0].db_type)}, {pairs})",
    ]


def _postgresql(keys: list[_Key]) -> list[str]:
    by_table: dict[str, list[_Key]] = defaultdict(list)
    by_parent: dict[str, list[_Key]] = defaultdict(list)
    for key in keys:
        by_table[key.table].append(key)
        by_parent[key.parent].append(key)
    statements = [_ROW_CHECK, _PARENT_ID_CHANGE]
    for table, table_keys in sorted(by_table.items()):
        statements += _insert_check(table, table_keys)
        for key in table_keys:
            statements += _update_checks(key)
    for parent, parent_keys in sorted(by_parent.items()):
        statements += _delete_check(parent, parent_keys)
    return statements


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite(keys: list[_Key]) -> list[str]:
    statements = []
    for key in keys:
        column, parent, pk = _q(key.column), _q(key.parent), _q(key.parent_column)
        missing = (
            f"WHEN NEW.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} WHERE {pk} = NEW.{column}) "
            "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END"
        )
        statements.append(
            f"CREATE TRIGGER {_short('ins', key.table, key.column)} AFTER INSERT ON {_q(key.table)} "
            f"FOR EACH ROW {missing}"
        )
        statements.append(
            f"CREATE TRIGGER {_short('upd', key.table, key.column)} AFTER UPDATE OF {column} ON {_q(key.table)} "
            f"FOR EACH ROW {missing}"
        )
    return statements


# --- installing ------------------------------------------------------------------------------


def _existing_triggers(connection, cursor) -> list[tuple[str, str]]:
    """(trigger, table) of every trigger of this module in the database."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE %s AND NOT t.tgisinternal",
            [f"{PREFIX}\\_%"],
        )
    else:
        cursor.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{PREFIX}_%"]
        )
    return list(cursor.fetchall())


def _drop_triggers(connection, cursor, triggers: list[tuple[str, str]]) -> None:
    for trigger, table in triggers:
        on_table = f" ON {_q(table)}" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER IF EXISTS {_q(trigger)}{on_table}")


def install(using: str = "default", **kwargs) -> None:
    """Put the triggers of every :class:`CheckedForeignKey` in place (a ``post_migrate``
    receiver; safe to call any time). Keys whose table or referenced table does not exist
    (yet, or any more) are left out."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    tables = set(connection.introspection.table_names())
    keys = [key for key in _keys(connection) if key.table in tables and key.parent in tables]
    statements = _postgresql(keys) if connection.vendor == "postgresql" else _sqlite(keys)
    version = hashlib.sha1("\n".join(statements).encode()).hexdigest()
    triggers = sum(1 for statement in statements if statement.startswith("CREATE ") and " TRIGGER " in statement)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        existing = _existing_triggers(connection, cursor)
        if connection.vendor == "postgresql" and len(existing) == triggers:  # unchanged: no lock taken
            cursor.execute(f"SELECT to_regproc('{PREFIX}_version') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute(f"SELECT {PREFIX}_version()")
                if cursor.fetchone()[0] == version:
                    return
        _drop_triggers(connection, cursor, existing)
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {PREFIX}_version() RETURNS text LANGUAGE sql IMMUTABLE "
                f"AS $fn$ SELECT {_literal(version)} $fn$"
            )


def uninstall(using: str = "default", **kwargs) -> None:
    """Remove every trigger (and PostgreSQL function) of this module: before a migration
    changes tables under them (SQLite re-creates a table to alter it and refuses a trigger
    naming a table that is gone) and when payroll 0014 is unapplied; :func:`install` puts
    them back after the next ``migrate``."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _drop_triggers(connection, cursor, _existing_triggers(connection, cursor))
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE p.proname LIKE %s AND n.nspname = current_schema()",
                [f"{PREFIX}\\_%"],
            )
            for (signature,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {signature}")
