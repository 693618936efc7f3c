"""Pages: team -- members and invitations (issue 4 point 4).

Owners and admins list the members, invite by email, change roles and offices, deactivate and
re-activate, and resend or revoke invitations. The rules live in
:mod:`organisations.services` (members, invitations, seats), which also write every change to the audit trail
(source ``page``) in the change's transaction (issue 12). The invitation link (``/app/invitations/<token>``)
is public: the invitee sets their name and password there.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from trackyoursheets.api.authentication import SESSION_ORGANISATION_KEY
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.filters import apply_filterset
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import MemberPageMixin, TablePageMixin, add_service_errors, error_text

from .. import selectors, services
from ..actors import Actor, AuditContext
from ..choices import OWNER_ADMIN, MembershipStatus
from ..filters import MembershipFilterSet
from ..forms import AcceptInvitationForm, InviteMemberForm, MemberFilterForm, MemberForm
from ..models import AuditEvent, Membership
from ..tables import MemberTable

MEMBERSHIP_LABEL = Membership._meta.label


def _state(membership: Membership) -> dict:
    return {"role": membership.role, "office_id": membership.office_id, "status": membership.status}


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _member_queryset(actor: Actor):
    return selectors.membership_list(actor=actor).select_related("invitation")


def _get_member(actor: Actor, pk: int) -> Membership:
    try:
        return _member_queryset(actor).get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404(_("No such member.")) from None


# =============================================================================
# The team list and invitations
# =============================================================================


class TeamView(TablePageMixin, MemberPageMixin, TemplateView):
    allowed_roles = OWNER_ADMIN
    template_name = "app/team.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_form = MemberFilterForm(self.request.GET or None)
        filters = {k: v for k, v in self.request.GET.items() if k in ("status", "role") and v}
        try:
            members = apply_filterset(MembershipFilterSet, filters, _member_queryset(self.actor))
        except ValidationFailed:
            members = _member_queryset(self.actor).none()
        context.update(
            filter_form=filter_form,
            filtered=bool(filters),
            table=MemberTable(self.request, members),
            seats=services.member_seat_usage(organisation=self.actor.organisation),
            plan=self.actor.organisation.plan_details,
        )
        return context


class InviteMemberView(MemberPageMixin, FormView):
    allowed_roles = OWNER_ADMIN
    template_name = "app/team_invite.html"
    form_class = InviteMemberForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.actor}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["seats"] = services.member_seat_usage(organisation=self.actor.organisation)
        context["plan"] = self.actor.organisation.plan_details
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            invited = services.member_invite(
                actor=self.actor,
                email=data["email"],
                role=data["role"],
                office=data["office"],
                base_url=_base_url(self.request),
            )
            membership = invited.membership
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.detail)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Invitation sent to %(email)s. The link in it works for 7 days.") % {"email": membership.user.email},
        )
        return HttpResponseRedirect(reverse("app:team"))


# =============================================================================
# One member: role and office, status, invitation
# =============================================================================


class MemberView(MemberPageMixin, FormView):
    allowed_roles = OWNER_ADMIN
    template_name = "app/team_member.html"
    form_class = MemberForm

    def get_member(self) -> Membership:
        if not hasattr(self, "_member"):
            self._member = _get_member(self.actor, self.kwargs["pk"])
        return self._member

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.actor, "membership": self.get_member()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.get_member()
        context["member"] = member
        context["invitation"] = getattr(member, "invitation", None)  # absent: RelatedObjectDoesNotExist
        context["is_self"] = member.pk == self.actor.membership.pk
        return context

    def form_valid(self, form):
        member = self.get_member()
        before = _state(member)
        try:
            member = services.member_update(
                actor=self.actor,
                membership=member,
                role=form.cleaned_data["role"],
                office=form.cleaned_data["office"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except DomainError as error:
            form.add_error(None, error.detail)
            return self.form_invalid(form)
        if _state(member) != before:
            messages.success(self.request, _("Saved the changes to %(email)s.") % {"email": member.user.email})
        else:
            messages.info(self.request, _("Nothing changed."))
        return HttpResponseRedirect(reverse("app:team-member", args=[member.pk]))


class MemberActionView(MemberPageMixin, View):
    """POST-only buttons of the member page: deactivate, re-activate, resend or revoke the invitation."""

    allowed_roles = OWNER_ADMIN
    http_method_names = ["post"]
    action: str = ""

    def post(self, request, pk: int):
        member = _get_member(self.actor, pk)
        email = member.user.email
        try:
            member = self.perform(member)
        except (ValidationError, DomainError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, self.success_message(member) % {"email": email})
        return HttpResponseRedirect(reverse("app:team-member", args=[pk]))

    def perform(self, member: Membership) -> Membership:
        raise NotImplementedError

    def success_message(self, member: Membership) -> str:
        raise NotImplementedError


class DeactivateMemberView(MemberActionView):
    action = "deactivate"

    def perform(self, member):
        return services.member_deactivate(actor=self.actor, membership=member)

    def success_message(self, member):
        return _("%(email)s is deactivated: they can no longer log in to this organisation or use its API.")


class ReactivateMemberView(MemberActionView):
    action = "reactivate"

    def perform(self, member):
        return services.member_reactivate(actor=self.actor, membership=member, base_url=_base_url(self.request))

    def success_message(self, member):
        if member.status == MembershipStatus.INVITED:
            return _("%(email)s never accepted their invitation, so a new invitation link was sent.")
        return _("%(email)s is active again.")


class ResendInvitationView(MemberActionView):
    action = "invitation_resend"

    def perform(self, member):
        return services.invitation_resend(
            actor=self.actor, membership=member, base_url=_base_url(self.request)
        ).membership

    def success_message(self, member):
        return _("A new invitation link was sent to %(email)s; the previous link no longer works.")


class RevokeInvitationView(MemberActionView):
    action = "invitation_revoke"

    def perform(self, member):
        return services.invitation_revoke(actor=self.actor, membership=member)

    def success_message(self, member):
        return _("The invitation of %(email)s was withdrawn and its seat freed.")


# =============================================================================
# Accepting an invitation (public: the link is the credential)
# =============================================================================


class InvitationAcceptView(View):
    """``/app/invitations/<token>``: a new person sets their name and password; a person who already has
    an account accepts while logged in as the invited email. Used, expired or revoked links get a page
    that says so (410; an unknown link 404)."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def _invalid(self, request, error: services.InvitationInvalid):
        return render(
            request,
            "app/invitation_invalid.html",
            {"message": error.detail, "reason": error.reason},
            status=404 if error.reason == "unknown" else 410,
        )

    def _render(self, request, invitation, form=None, error: str | None = None, status: int = 200):
        user = invitation.membership.user
        context = {
            "invitation": invitation,
            "organisation": invitation.organisation,
            "membership": invitation.membership,
            "existing_account": user.has_usable_password(),
            "signed_in_as_invitee": request.user.is_authenticated and request.user.pk == user.pk,
            "form": form,
            "error": error,
            "login_url": reverse("app:login") + "?" + urlencode({"next": request.path}),
        }
        return render(request, "app/invitation_accept.html", context, status=status)

    def get(self, request, token: str):
        try:
            invitation = services.invitation_for_token(raw_token=token)
        except services.InvitationInvalid as error:
            return self._invalid(request, error)
        user = invitation.membership.user
        form = None if user.has_usable_password() else AcceptInvitationForm(user)
        return self._render(request, invitation, form)

    def post(self, request, token: str):
        try:
            invitation = services.invitation_for_token(raw_token=token)
        except services.InvitationInvalid as error:
            return self._invalid(request, error)
        user = invitation.membership.user
        if user.has_usable_password():
            return self._accept_existing(request, token, invitation)
        form = AcceptInvitationForm(user, request.POST)
        if not form.is_valid():
            return self._render(request, invitation, form, status=200)
        try:
            membership = services.invitation_accept(
                raw_token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["new_password1"],
                audit_context=AuditContext.from_request(request, source=AuditEvent.Source.PAGE),
            )
        except services.InvitationInvalid as error:
            return self._invalid(request, error)
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(request, invitation, form)
        if request.user.is_authenticated:  # someone else was logged in in this browser
            logout(request)
        # issue 14 point 8: the new member is signed in and lands in their organisation at once
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_ORGANISATION_KEY] = membership.organisation_id
        messages.success(
            request,
            _("Welcome to %(organisation)s! Your account is ready; next time, log in with %(email)s.")
            % {"organisation": membership.organisation.name, "email": membership.user.email},
        )
        return HttpResponseRedirect(reverse("app:dashboard"))

    def _accept_existing(self, request, token, invitation):
        if not (request.user.is_authenticated and request.user.pk == invitation.membership.user_id):
            return self._render(
                request,
                invitation,
                error=_("Log in as %(email)s to accept this invitation.") % {"email": invitation.email},
                status=403,
            )
        try:
            membership = services.invitation_accept(
                raw_token=token,
                user=request.user,
                audit_context=AuditContext.from_request(request, source=AuditEvent.Source.PAGE),
            )
        except services.InvitationInvalid as error:
            return self._invalid(request, error)
        except DomainError as error:
            return self._render(request, invitation, error=error.detail, status=403)
        request.session[SESSION_ORGANISATION_KEY] = membership.organisation_id
        messages.success(request, _("You joined %(organisation)s.") % {"organisation": membership.organisation.name})
        return HttpResponseRedirect(reverse("app:dashboard"))


urlpatterns = [
    path("team", TeamView.as_view(), name="team"),
    path("team/invite", InviteMemberView.as_view(), name="team-invite"),
    path("team/<int:pk>", MemberView.as_view(), name="team-member"),
    path("team/<int:pk>/deactivate", DeactivateMemberView.as_view(), name="team-member-deactivate"),
    path("team/<int:pk>/reactivate", ReactivateMemberView.as_view(), name="team-member-reactivate"),
    path("team/<int:pk>/invitation/resend", ResendInvitationView.as_view(), name="team-invitation-resend"),
    path("team/<int:pk>/invitation/revoke", RevokeInvitationView.as_view(), name="team-invitation-revoke"),
    path("invitations/<str:token>", InvitationAcceptView.as_view(), name="invitation-accept"),
]
