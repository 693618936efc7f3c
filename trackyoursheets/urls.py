from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from .api.graphql import GraphQLView
from .api.oauth import ClientCredentialsTokenView, ClientSecretRotateView, TokenIntrospectView, TokenRevokeView
from .api.oauth_authorize import MemberAuthorizationView
from .views import ApiStatusFeed, api_guide, api_status, changelog, favicon, landing, legacy_docs_redirect

urlpatterns = [
    # first: Django tries the patterns in order on every request, and the API is what is called
    # most (issue 13 point 14); no pattern below starts with v1/
    path("v1/", include("trackyoursheets.api.urls")),
    # public pages (issue 4): landing, hosted docs, status feed; old docs addresses 301 to the guide
    path("", landing, name="landing"),
    path("api-guide", api_guide, name="api-guide"),
    path("api-guide/", legacy_docs_redirect),
    re_path(r"^(?:docs/api|api|api-docs)/?$", legacy_docs_redirect),
    path("changelog", changelog, name="changelog"),
    path("api-status", api_status, name="api-status"),
    path("api-status.xml", ApiStatusFeed(), name="api-status-feed"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("app/webhooks/", include("integrations.urls")),  # issue 5: webhooks for owners and admins
    path("app/exports/", include("integrations.exports.urls")),  # issue 17: report exports, every member
    path("app/tracktik/", include("integrations.tracktik.urls")),  # issue 19: the TrackTik connector
    path("app/imports/", include("payroll.import_urls")),  # issue 6: statement imports
    path("app/commissions/", include("payroll.urls")),  # issue 6: commissions, analytics, producer portal
    path("app/payroll/", include("payroll.run_urls")),  # issue 18: payroll runs and "My pay"
    path("app/time/", include("timetracking.urls")),  # issue 7: time tracking
    path("app/hr/", include("hr.urls")),  # issue 8: HR portal
    path("app/", include("organisations.urls")),
    path("oauth/authorize", MemberAuthorizationView.as_view(), name="oauth-authorize"),
    path("oauth/token", ClientCredentialsTokenView.as_view(), name="oauth-token"),
    path("oauth/rotate", ClientSecretRotateView.as_view(), name="oauth-rotate"),
    path("oauth/revoke", TokenRevokeView.as_view(), name="oauth-revoke"),
    path("oauth/introspect", TokenIntrospectView.as_view(), name="oauth-introspect"),
    path("graphql", GraphQLView.as_view(), name="graphql"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
