"""Pages for what only the API or the admin could do before issue 14 (point 9): carriers, policies
and commission rule sets (list, create, edit), and moving a ledger line through its statuses
(approve, pay, dispute, ...).

Thin views (STYLE §2.5): forms parse, :mod:`payroll.services` decide (the same services as
``/v1/carriers``, ``/v1/policies``, ``/v1/commission-rules`` and ``/v1/transactions/{id}/status``),
each change audited with source "page". A service refusal shows on the form; another
organisation's ids are a 404. Carriers and rule sets are for owners and admins (the services'
rule); policies and line statuses also for managers, for their office's producers.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from organisations.choices import OWNER_ADMIN
from trackyoursheets.web import TablePageMixin, add_service_errors, error_text, scoped_or_404

from .. import selectors, services
from ..choices import TRANSACTION_TRANSITIONS, TransactionStatus
from ..forms import CarrierForm, PolicyForm, RuleSetForm, policy_producer_formset, rule_formset
from ..tables import CarrierTable, PolicyTable, RuleSetTable
from .common import SERVICE_ERRORS, CommissionsPage

#: a service's error on one row of a formset: ``rules[2].rate``, ``producers[0].split_percent``
ROW_ERROR = re.compile(r"^(?P<prefix>rules|producers)\[(?P<index>\d+)\]\.(?P<field>\w+)$")

#: the button of each target status on a ledger line (issue 14 point 9: approve, pay, dispute)
TRANSITION_BUTTONS = {
    TransactionStatus.RECONCILED: _("Mark reconciled"),
    TransactionStatus.APPROVED: _("Approve"),
    TransactionStatus.PAID: _("Mark paid"),
    TransactionStatus.DISPUTED: _("Dispute"),
    TransactionStatus.PENDING: _("Back to pending"),
}


def transition_buttons(status: str) -> list[tuple[str, str]]:
    """(target status, button label) for the moves the line's status allows, in a stable order."""
    allowed = TRANSACTION_TRANSITIONS.get(status, frozenset())
    return [(str(target), str(label)) for target, label in TRANSITION_BUTTONS.items() if target in allowed]


def _errors_onto(form, formset, error, *, rows: list[int]) -> None:
    """A service error: row errors go on the formset row they name (``rows`` maps the service's
    row index to the formset's form index), everything else on the main form."""
    if hasattr(error, "error_dict"):
        rest = {}
        for key, messages_ in error.message_dict.items():
            match = ROW_ERROR.match(key)
            if match and int(match["index"]) < len(rows):
                row_form = formset.forms[rows[int(match["index"])]]
                field = match["field"]
                row_form.add_error(field if field in row_form.fields else None, messages_)
            else:
                rest[key] = messages_
        if not rest:
            return
        error = type(error)(rest)
    add_service_errors(form, error)


# =============================================================================
# Carriers (owners and admins)
# =============================================================================


class SetupPage(CommissionsPage):
    """A reference-data page: a list, a create form and an edit form share one template."""

    allowed_roles = OWNER_ADMIN


class CarrierListView(TablePageMixin, SetupPage):
    template_name = "payroll/setup/carriers.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        carriers = selectors.carrier_list(actor=self.actor).select_related("default_rule_set").order_by("name", "id")
        context["table"] = CarrierTable(self.request, carriers)
        return context


class CarrierFormView(SetupPage):
    """``carriers/new`` and ``carriers/<pk>``: the same form; the services decide."""

    template_name = "payroll/setup/carrier_form.html"

    def carrier(self):
        pk = self.kwargs.get("pk")
        return scoped_or_404(selectors.carrier_get, actor=self.actor, pk=pk) if pk else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        carrier = context.setdefault("carrier", self.carrier())
        if "form" not in context:
            initial = (
                {
                    "name": carrier.name,
                    "code": carrier.code,
                    "statement_date_format": carrier.statement_date_format,
                    "default_rule_set": carrier.default_rule_set_id,
                }
                if carrier
                else {}
            )
            context["form"] = CarrierForm(initial=initial, actor=self.actor)
        return context

    def post(self, request, *args, **kwargs):
        carrier = self.carrier()
        form = CarrierForm(request.POST, actor=self.actor)
        if form.is_valid():
            data = form.cleaned_data
            saved = self.apply(
                form,
                (lambda: services.carrier_update(actor=self.actor, carrier=carrier, data=data))
                if carrier
                else (lambda: services.carrier_create(actor=self.actor, **data)),
            )
            if saved is not None:
                messages.success(
                    request,
                    (_("Carrier %(name)s saved.") if carrier else _("Carrier %(name)s created."))
                    % {"name": saved.name},
                )
                return HttpResponseRedirect(reverse("commissions:carriers"))
        return self.redisplay(form=form, carrier=carrier)


# =============================================================================
# Commission rule sets (owners and admins)
# =============================================================================


class RuleSetListView(TablePageMixin, SetupPage):
    template_name = "payroll/setup/rule_sets.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rule_sets = selectors.rule_set_list(actor=self.actor).order_by("name", "-version", "id")
        context["table"] = RuleSetTable(self.request, rule_sets)
        return context


def _rule_values(cleaned: dict) -> dict:
    return {
        "basis": cleaned["basis"],
        "rate": cleaned.get("rate"),
        "amount": cleaned.get("amount"),
        "carrier": cleaned.get("carrier"),
        "line_of_business": cleaned.get("line_of_business"),
        "business_type": cleaned["business_type"],
        "priority": cleaned["priority"] if cleaned.get("priority") is not None else 100,
    }


class RuleSetFormView(SetupPage):
    """``rule-sets/new`` and ``rule-sets/<pk>``: the set and its rules (saving replaces the rules)."""

    template_name = "payroll/setup/rule_set_form.html"

    def rule_set(self):
        pk = self.kwargs.get("pk")
        return scoped_or_404(selectors.rule_set_get, actor=self.actor, pk=pk) if pk else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rule_set = context.setdefault("rule_set", self.rule_set())
        if "form" not in context:
            initial = {"version": 1, "active": True}
            rules = None
            if rule_set:
                initial = {
                    "name": rule_set.name,
                    "version": rule_set.version,
                    "effective_from": rule_set.effective_from,
                    "effective_to": rule_set.effective_to,
                    "active": rule_set.active,
                }
                rules = [
                    {
                        "basis": r.basis,
                        "rate": r.rate,
                        "amount": r.amount,
                        "carrier": r.carrier_id,
                        "line_of_business": r.line_of_business_id,
                        "business_type": r.business_type,
                        "priority": r.priority,
                    }
                    for r in rule_set.rules.order_by("priority", "id")
                ]
            context["form"] = RuleSetForm(initial=initial)
            context["rules"] = rule_formset(actor=self.actor, initial=rules)
        return context

    def post(self, request, *args, **kwargs):
        rule_set = self.rule_set()
        form = RuleSetForm(request.POST)
        rules = rule_formset(actor=self.actor, data=request.POST)
        if form.is_valid() and rules.is_valid():
            used = [index for index, row in enumerate(rules.forms) if row.cleaned_data.get("basis")]
            data = {**form.cleaned_data, "rules": [_rule_values(rules.forms[i].cleaned_data) for i in used]}
            try:
                saved = (
                    services.rule_set_update(actor=self.actor, rule_set=rule_set, data=data)
                    if rule_set
                    else (services.rule_set_create(actor=self.actor, **data))
                )
            except SERVICE_ERRORS as error:
                _errors_onto(form, rules, error, rows=used)
            else:
                messages.success(request, _("Rule set %(name)s saved.") % {"name": saved.name})
                return HttpResponseRedirect(reverse("commissions:rule-sets"))
        return self.redisplay(form=form, rules=rules, rule_set=rule_set)


# =============================================================================
# Policies (owners, admins, managers for their office's producers)
# =============================================================================


class PolicyListView(TablePageMixin, CommissionsPage):
    template_name = "payroll/setup/policies.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policies = selectors.policy_list(actor=self.actor)
        context["table"] = PolicyTable(self.request, policies, currency=self.actor.organisation.currency)
        return context


class PolicyFormView(CommissionsPage):
    """``policies/new`` and ``policies/<pk>``: the policy and its writing producers (splits total 100)."""

    template_name = "payroll/setup/policy_form.html"

    def policy(self):
        pk = self.kwargs.get("pk")
        return scoped_or_404(selectors.policy_get, actor=self.actor, pk=pk) if pk else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = context.setdefault("policy", self.policy())
        if "form" not in context:
            initial, producers = {"status": "active"}, None
            if policy:
                initial = {
                    "carrier": policy.carrier_id,
                    "number": policy.number,
                    "customer_name": policy.customer_name,
                    "line_of_business": policy.line_of_business_id,
                    "premium": policy.premium,
                    "effective_date": policy.effective_date,
                    "expiry_date": policy.expiry_date,
                    "status": policy.status,
                }
                producers = [
                    {"producer": link.producer_id, "split_percent": link.split_percent}
                    for link in policy.producer_links.all()
                ]
            context["form"] = PolicyForm(initial=initial, actor=self.actor)
            context["producers"] = policy_producer_formset(actor=self.actor, initial=producers)
        return context

    def post(self, request, *args, **kwargs):
        policy = self.policy()
        form = PolicyForm(request.POST, actor=self.actor)
        producers = policy_producer_formset(actor=self.actor, data=request.POST)
        if form.is_valid() and producers.is_valid():
            used = [i for i, row in enumerate(producers.forms) if row.cleaned_data.get("producer") is not None]
            splits = [
                (producers.forms[i].cleaned_data["producer"], producers.forms[i].cleaned_data["split_percent"])
                for i in used
            ]
            data = {**form.cleaned_data, "producers": splits}
            try:
                saved = (
                    services.policy_update(actor=self.actor, policy=policy, data=data)
                    if policy
                    else (services.policy_create(actor=self.actor, **data))
                )
            except SERVICE_ERRORS as error:
                _errors_onto(form, producers, error, rows=used)
            else:
                messages.success(request, _("Policy %(number)s saved.") % {"number": saved.number})
                return HttpResponseRedirect(reverse("commissions:policies"))
        return self.redisplay(form=form, producers=producers, policy=policy)


# =============================================================================
# A ledger line's status: approve, pay, dispute (owners, admins, managers)
# =============================================================================


class TransactionStatusView(CommissionsPage):
    """POST ``status``: move one line (``transaction_transition`` refuses an illegal move with a
    409 naming the allowed ones; the page shows it as a message)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        txn = self.transaction()
        status = request.POST.get("status", "")
        try:
            services.transaction_transition(actor=self.actor, transaction=txn, status=status)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("Line #%(pk)s is now %(status)s.") % {"pk": txn.pk, "status": TransactionStatus(status).label},
            )
        return HttpResponseRedirect(reverse("commissions:transaction", args=[txn.pk]))
