"""No lost input (issue 14 point 1; DESIGN §9): every edit form of every page, rendered with an
existing object and submitted unchanged, changes nothing in the database.

The forms are discovered, not listed: each demo role crawls the ``/app/`` pages it can reach from
its dashboard; every ``<form method="post">`` whose action is an *edit* of an existing object (its
route has an object id and is not a declared one-button action) is submitted with
exactly what a browser would send (:mod:`tests.platform.page_forms` sanitises typed inputs the
way browsers do). A guard makes sure no object route with a POST handler escapes: each is either
reached as an edit form here or named in :data:`ACTIONS` (one-button actions, which change things
by design).
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from organisations.demo import demo_email
from organisations.management.commands.seed_demo import DEMO_PASSWORD, OWNER_EMAIL, seed_demo
from tests.integrations.factories import WebhookSubscriptionFactory
from trackyoursheets import web
from trackyoursheets.web.forms import PageFormMixin

from .page_forms import links_of, post_forms_of

pytestmark = pytest.mark.django_db

#: routes with an object id whose POST is an action, not an edit of the object's fields
ACTIONS = {
    "hr:employee-terminate",
    "hr:document-acknowledge",
    "hr:document-download",
    "hr:ticket",  # assign / transition / note: each form is one action on the ticket
    "hr:document",  # uploads a new version (a file: never "unchanged")
    "hr:follow-ticket",
    "hr:leave-action",  # approve, reject, cancel a leave request: one button each
    "time:entry-delete",
    "time:client-archive",
    "time:project-archive",
    "time:task-delete",
    "time:timesheet-action",  # submit, unsubmit, approve, reject, reopen: one button each
    "time:request-action",  # cancel, approve, reject a time request: one button each
    "time:expense-action",  # submit, delete, approve, reject, mark reimbursed: one button each
    "time:expense-category-archive",
    "webhooks:rotate",
    "exports:delete",
    "exports:list",  # requests an export: a new one each time
    "webhooks:test",
    "webhooks:delete",
    "webhooks:redeliver",
    "imports:match",
    "imports:finalise",
    "imports:rollback",
    "imports:progress",
    "commissions:producer-override",
    "commissions:producer-bulk-override",
    "commissions:transaction",  # status changes and overrides: actions
    "app:oauth-client-rotate",
    "app:oauth-client-end-grace",
    "app:oauth-client-delete",
    "app:oauth-grant-withdraw",
    "app:api-token-revoke",
    "app:authorised-app-revoke",
    "app:team-member-deactivate",
    "app:team-member-reactivate",
    "app:team-invitation-resend",
    "app:team-invitation-revoke",
    "app:invitation-accept",
    "app:password-reset-confirm",
    "app:workspace-status",
    "payroll:run-action",  # approve, mark paid, recalculate, cancel, acknowledge: one button each
}
#: the demo roles whose pages are crawled (the owner sees the most; the others their own records)
ROLES = ("owner", "hana.hr", "morgan.manager", "eli.employee", "pat.producer")
#: fields whose change an unchanged re-submit may cause (bookkeeping, not the user's data)
BOOKKEEPING = {"updated_at", "last_login", "last_used_at", "modified"}
MAX_PAGES = 200


def _app_models() -> list[type[models.Model]]:
    labels = ("organisations", "hr", "timetracking", "payroll", "integrations")
    skip = {"AuditEvent", "OutboxEvent", "WebhookDelivery", "IdempotencyKey"}
    return [m for m in apps.get_models() if m._meta.app_label in labels and m.__name__ not in skip]


def _snapshot() -> dict:
    state = {}
    for model in _app_models():
        names = [f.attname for f in model._meta.concrete_fields if f.name not in BOOKKEEPING]
        state[model._meta.label] = {row[0]: row for row in model._default_manager.order_by("pk").values_list(*names)}
    return state


def _diff(before: dict, after: dict) -> list[str]:
    changes = []
    for label, rows in before.items():
        for pk in rows.keys() | after[label].keys():
            if rows.get(pk) != after[label].get(pk):
                changes.append(f"{label} #{pk}: {rows.get(pk)} -> {after[label].get(pk)}")
    return changes


def _object_routes() -> dict[str, type]:
    """Every ``/app/`` route whose URL names an object and whose view handles POST."""
    found = {}

    def walk(patterns, namespace, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = ":".join(filter(None, [namespace, entry.namespace]))
                walk(entry.url_patterns, ns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                view = getattr(entry.callback, "view_class", None)
                route = prefix + str(entry.pattern)
                if (
                    route.startswith("app/")
                    and "<" in str(entry.pattern)
                    and view is not None
                    and hasattr(view, "post")
                    and "post" in getattr(view, "http_method_names", ())
                ):
                    found[f"{namespace}:{entry.name}"] = view

    walk(get_resolver().url_patterns, "", "")
    return found


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _is_edit(action_path: str) -> bool:
    """Every form posting to an object's route is an edit, unless the route is a declared action."""
    try:
        match = resolve(action_path)
    except Resolver404:
        return False
    return bool(match.kwargs) and match.view_name not in ACTIONS


def _crawl(client):
    """The ``/app/`` pages reachable from the dashboard (one of each route and object)."""
    seen, queue, pages = set(), ["/app/"], []
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages.append((path, html))
        for href in links_of(html):
            target = urlsplit(urljoin(path, href))
            if target.netloc or not target.path.startswith("/app/") or target.query:
                continue
            if re.search(r"(logout|download|\.csv|/export)", target.path) or target.path in seen:
                continue
            queue.append(target.path)
    return pages


def test_every_edit_form_resubmitted_unchanged_changes_nothing(client):
    organisation = seed_demo().organisation
    WebhookSubscriptionFactory(organisation=organisation)  # the demo has none: its edit form is covered too
    submitted: dict[str, int] = {}
    failures = []
    for role in ROLES:
        email = OWNER_EMAIL if role == "owner" else demo_email(role)
        client.logout()
        assert client.login(username=email, password=DEMO_PASSWORD), email
        for page_path, html in _crawl(client):
            for form in post_forms_of(html):
                action = urlsplit(urljoin(page_path, form.action or page_path)).path
                if form.has_file or not _is_edit(action):
                    continue
                before = _snapshot()
                response = client.post(action, form.data())
                after = _snapshot()
                name = _route(action)
                submitted[name] = submitted.get(name, 0) + 1
                if response.status_code not in (200, 302, 303):
                    failures.append(f"{role} {action}: status {response.status_code}")
                failures.extend(f"{role} {action} (from {page_path}): {change}" for change in _diff(before, after))

    assert failures == []
    # the known bugs of issue 14 are covered: an HR employee and a time entry were re-submitted
    assert {"hr:employee", "time:entry-edit"} <= submitted.keys(), submitted
    # no object route with a POST handler escapes: reached as an edit form, or a declared action
    assert set(_object_routes()) - ACTIONS - submitted.keys() == set()


def test_every_page_form_renders_iso_dates():
    """Every form class of the project derives from the page form base (ISO date widgets)."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = ("organisations.", "hr.", "timetracking.", "payroll.", "integrations.", "trackyoursheets.web")
    page_forms = {
        f"{c.__module__}.{c.__qualname__}"
        for c in subclasses(forms.BaseForm)
        if c.__module__.startswith(ours) and ".admin" not in c.__module__ and not issubclass(c, forms.BaseModelForm)
    }
    outside = {
        name
        for name in page_forms
        for c in subclasses(forms.BaseForm)
        if f"{c.__module__}.{c.__qualname__}" == name and not issubclass(c, PageFormMixin)
    }
    assert page_forms  # the discovery found the forms
    assert outside == set()


def test_a_date_renders_iso_whatever_the_language(settings):
    class Form(web.PageForm):
        day = forms.DateField()
        moment = forms.DateTimeField()

    settings.LANGUAGE_CODE = "en-us"
    html = Form(initial={"day": datetime.date(2026, 6, 5), "moment": datetime.datetime(2026, 6, 5, 9, 30)}).as_p()

    assert 'type="date"' in html and 'value="2026-06-05"' in html
    assert 'type="datetime-local"' in html and 'value="2026-06-05T09:30"' in html


def test_the_manual_sale_form_shows_its_date(client):
    """Issue 14: the manual sale form showed an empty date (``03/12/2026`` is no date input value)."""
    seed_demo()
    client.login(username=OWNER_EMAIL, password=DEMO_PASSWORD)

    html = client.get("/app/commissions/sales/new").content.decode()

    sale_date = re.search(r'<input type="date" name="transaction_date" value="([^"]*)"', html)
    assert sale_date is not None, html
    assert datetime.date.fromisoformat(sale_date[1])  # an ISO day the browser shows, not an empty field
