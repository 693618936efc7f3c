"""An OAuth access token read for a request in one prepared statement (issue 13 point 14).

The bearer path needs the token, its client, the client's organisation, the token's user (if any)
and whether the client was granted another active organisation. The ORM reads that in one query
too, but compiling a four-table ``select_related`` with an ``EXISTS`` costs about 4 ms of CPU on
every request, more than the rest of a list page. Here the SQL is written once per process from
the models' metadata (every concrete column, so the instances are complete), executed with the
token's checksum, and each row becomes model instances through ``Model.from_db`` with the same
database converters the ORM applies. Nothing is cached between requests: every request reads the
token, so revoking or expiring it counts at once.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections
from oauth2_provider.models import get_access_token_model

from organisations.models import OAuthApplication, OAuthApplicationGrant, Organisation
from trackyoursheets.db import prepared_cursor

#: the attribute of the token that says whether its client was granted another active organisation
OTHER_GRANTS = "tys_other_grants"


class _Table:
    """One model's concrete columns under an alias, and how to turn them back into an instance."""

    def __init__(self, model, alias: str, connection):
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        quote = connection.ops.quote_name
        self.select = [f"{alias}.{quote(field.column)}" for field in self.fields]
        self.attnames = [field.attname for field in self.fields]
        self.converters = []
        for field in self.fields:
            column = field.get_col(alias)
            converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            self.converters.append((column, converters))

    def instance(self, db: str, connection, values: list[Any]):
        converted = []
        for raw, (column, converters) in zip(values, self.converters, strict=True):
            value = raw
            for converter in converters:
                value = converter(value, column, connection)
            converted.append(value)
        return self.model.from_db(db, self.attnames, converted)


@functools.cache
def _statement(alias: str) -> tuple[str, list[_Table]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    token_model, user_model = get_access_token_model(), get_user_model()
    tables = [
        _Table(token_model, "t", connection),
        _Table(OAuthApplication, "a", connection),
        _Table(Organisation, "o", connection),
        _Table(user_model, "u", connection),
    ]
    grant, org, app, token = OAuthApplicationGrant._meta, Organisation._meta, OAuthApplication._meta, token_model._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    def pk(meta) -> str:
        return quote(meta.pk.column)

    other_grants = (
        f"EXISTS (SELECT 1 FROM {quote(grant.db_table)} g"
        f" INNER JOIN {quote(org.db_table)} go ON go.{pk(org)} = g.{column(grant, 'organisation')}"
        f" WHERE g.{column(grant, 'application')} = a.{pk(app)}"
        f" AND go.{column(org, 'is_active')}"
        f" AND g.{column(grant, 'organisation')} <> a.{column(app, 'organisation')})"
    )
    sql = (
        f"SELECT {', '.join(selected for table in tables for selected in table.select)}, {other_grants}"
        f" FROM {quote(token.db_table)} t"
        f" INNER JOIN {quote(app.db_table)} a ON a.{pk(app)} = t.{column(token, 'application')}"
        f" INNER JOIN {quote(org.db_table)} o ON o.{pk(org)} = a.{column(app, 'organisation')}"
        f" LEFT OUTER JOIN {quote(user_model._meta.db_table)} u"
        f" ON u.{pk(user_model._meta)} = t.{column(token, 'user')}"
        f" WHERE t.{column(token, 'token_checksum')} = %s"
    )
    return sql, tables


def load_access_token(token_checksum: str, *, using: str = "default"):
    """The access token with this checksum, its ``application``, the application's
    ``organisation`` and its ``user`` loaded, and ``tys_other_grants``; None if there is none (or
    it has no client: such a token authenticates nothing)."""
    sql, tables = _statement(using)
    connection = connections[using]
    with prepared_cursor(using) as cursor:  # planned once per connection on PostgreSQL
        cursor.execute(sql, [token_checksum])
        row = cursor.fetchone()
    if row is None:
        return None
    values, start = [], 0
    for table in tables:
        values.append(list(row[start : start + len(table.fields)]))
        start += len(table.fields)
    token_table, application_table, organisation_table, user_table = tables
    token = token_table.instance(using, connection, values[0])
    application = application_table.instance(using, connection, values[1])
    application.organisation = organisation_table.instance(using, connection, values[2])
    token.application = application
    user_pk = values[3][user_table.attnames.index(user_table.model._meta.pk.attname)]
    token.user = user_table.instance(using, connection, values[3]) if user_pk is not None else None
    setattr(token, OTHER_GRANTS, bool(row[start]))
    return token
