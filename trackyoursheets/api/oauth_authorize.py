"""``/oauth/authorize``: OAuth 2.1 authorization code with PKCE for third-party apps (issue 13 point 7).

django-oauth-toolkit does the protocol: ``PKCE_REQUIRED`` and ``COMPLIANT_BCP_RFC9700_PKCE_METHOD``
(settings) make a ``code_challenge`` with method ``S256`` mandatory, and the token endpoint
checks the ``code_verifier`` when the code is exchanged. This view adds our sign-in and our
consent page (``templates/app/oauth_authorize.html``): a member signs in, sees the app, its
organisation and every scope it asks for, and allows or denies. Only active members of an
active organisation may authorise. Tokens act for the member (``authentication.actor_from_bearer``).
"""

from __future__ import annotations

from django.shortcuts import render
from oauth2_provider.views import AuthorizationView

from organisations.choices import MembershipStatus
from organisations.models import Membership


def _is_active_member(user) -> bool:
    return Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE, organisation__is_active=True).exists()


class MemberAuthorizationView(AuthorizationView):
    template_name = "app/oauth_authorize.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not _is_active_member(user):
            return render(
                request,
                self.template_name,
                {
                    "error": {
                        "error": "access_denied",
                        "description": "You are not an active member of any organisation.",
                    }
                },
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # refuse "plain" before the member is asked (DOT refuses it again when the code is made)
        method = request.GET.get("code_challenge_method")
        if method is not None and method != "S256":
            description = 'Unsupported code_challenge_method; use "S256".'
            return render(
                request,
                self.template_name,
                {"error": {"error": "invalid_request", "description": description}},
                status=400,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scopes = context.get("scopes") or []
        descriptions = context.get("scopes_descriptions") or []
        context["scopes_pairs"] = list(zip(scopes, descriptions, strict=False))
        return context
