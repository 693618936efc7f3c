"""Pages: webhooks for owners and admins at ``/app/webhooks/`` (issue 5 point 1 and 5).

List, create, edit, rotate the secret, delete, send a test ping, read the delivery
log and redeliver. Thin views: reads through selectors, changes through services (which
write the audit row, source "page", in the change's transaction: issue 12).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from organisations.choices import OWNER_ADMIN
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import SERVICE_ERRORS, MemberPageMixin, TablePageMixin, add_service_errors, scoped_or_404

from . import selectors, services
from .conf import webhook_settings
from .forms import DeliveryFilterForm, WebhookSubscriptionForm
from .models import WebhookSubscription
from .tables import DeliveryTable, WebhookTable


class WebhookPage(MemberPageMixin, TemplateView):
    """A webhook page for owners and admins (timezone and audit come from MemberPageMixin)."""

    allowed_roles = OWNER_ADMIN

    def subscription(self) -> WebhookSubscription:
        """The subscription of the URL, scoped: another organisation's is the same 404 as a missing one."""
        return scoped_or_404(selectors.webhook_subscription_get, actor=self.actor, pk=self.kwargs["pk"])

    def show(self, template_name: str, **context):
        self.template_name = template_name
        return self.render_to_response(self.get_context_data(**context))


class WebhookListView(TablePageMixin, WebhookPage):
    template_name = "integrations/webhooks/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table"] = WebhookTable(self.request, selectors.webhook_subscription_list(actor=self.actor))
        context["conf"] = webhook_settings()
        return context


class WebhookCreateView(WebhookPage):
    template_name = "integrations/webhooks/form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", WebhookSubscriptionForm(initial={"is_active": True}))
        return context

    def post(self, request, *args, **kwargs):
        form = WebhookSubscriptionForm(request.POST)
        if not form.is_valid():
            return self.show(self.template_name, form=form)
        try:
            created = services.webhook_subscription_create(actor=self.actor, **form.cleaned_data)
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return self.show(self.template_name, form=form)
        response = self.show(
            "integrations/webhooks/secret.html", subscription=created.subscription, secret=created.secret, created=True
        )
        response["Cache-Control"] = "no-store"
        return response


class WebhookDetailView(TablePageMixin, WebhookPage):
    """Edit form, actions and the delivery log (filter by status, 25 a page)."""

    template_name = "integrations/webhooks/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subscription = kwargs.get("subscription") or self.subscription()
        context["subscription"] = subscription
        context.setdefault(
            "form",
            WebhookSubscriptionForm(
                initial={
                    "url": subscription.url,
                    "topics": subscription.topics,
                    "description": subscription.description,
                    "is_active": subscription.is_active,
                }
            ),
        )
        filters = DeliveryFilterForm(self.request.GET or None)
        status = filters.cleaned_data["status"] if filters.is_valid() else ""
        deliveries = selectors.webhook_delivery_list(
            actor=self.actor, subscription=subscription, filters={"status": status} if status else None
        )
        table = DeliveryTable(self.request, deliveries)
        context.update(filters=filters, table=table, now=timezone.now())
        return context

    def post(self, request, *args, **kwargs):
        subscription = self.subscription()
        form = WebhookSubscriptionForm(request.POST)
        if not form.is_valid():
            return self.show(self.template_name, form=form, subscription=subscription)
        before = {name: getattr(subscription, name) for name in form.cleaned_data}
        changed = {name: value for name, value in form.cleaned_data.items() if value != before[name]}
        try:
            services.webhook_subscription_update(actor=self.actor, subscription=subscription, data=changed)
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return self.show(self.template_name, form=form, subscription=self.subscription())
        messages.success(request, _("Webhook saved."))
        return HttpResponseRedirect(reverse("webhooks:detail", args=[subscription.pk]))


class WebhookRotateView(WebhookPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        subscription = self.subscription()
        rotated = services.webhook_subscription_rotate_secret(actor=self.actor, subscription=subscription)
        response = self.show(
            "integrations/webhooks/secret.html",
            subscription=rotated.subscription,
            secret=rotated.secret,
            previous_secret_expires_at=rotated.previous_secret_expires_at,
        )
        response["Cache-Control"] = "no-store"
        return response


class WebhookTestView(WebhookPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        subscription = self.subscription()
        services.webhook_subscription_test(actor=self.actor, subscription=subscription)
        messages.success(request, _("Test ping sent; its delivery is at the top of the log."))
        return HttpResponseRedirect(reverse("webhooks:detail", args=[subscription.pk]))


class WebhookDeleteView(WebhookPage):
    template_name = "integrations/webhooks/delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subscription"] = self.subscription()
        return context

    def post(self, request, *args, **kwargs):
        subscription = self.subscription()
        services.webhook_subscription_delete(actor=self.actor, subscription=subscription)
        messages.success(request, _("Webhook deleted."))
        return HttpResponseRedirect(reverse("webhooks:list"))


class WebhookRedeliverView(WebhookPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        subscription = self.subscription()
        delivery = scoped_or_404(
            selectors.webhook_delivery_get, actor=self.actor, pk=self.kwargs["delivery_pk"], subscription=subscription
        )
        try:
            services.webhook_delivery_redeliver(actor=self.actor, delivery=delivery)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Event %(id)s is being delivered again.") % {"id": delivery.event_id})
        return HttpResponseRedirect(reverse("webhooks:detail", args=[subscription.pk]))
