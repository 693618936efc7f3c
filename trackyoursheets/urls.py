from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from .api.graphql import GraphQLView
from .api.oauth import ClientCredentialsTokenView, ClientSecretRotateView, TokenIntrospectView, TokenRevokeView
from .views import landing

urlpatterns = [
    path("", landing, name="landing"),
    path("admin/", admin.site.urls),
    path("app/", include("organisations.urls")),
    path("oauth/token", ClientCredentialsTokenView.as_view(), name="oauth-token"),
    path("oauth/rotate", ClientSecretRotateView.as_view(), name="oauth-rotate"),
    path("oauth/revoke", TokenRevokeView.as_view(), name="oauth-revoke"),
    path("oauth/introspect", TokenIntrospectView.as_view(), name="oauth-introspect"),
    path("v1/", include("trackyoursheets.api.urls")),
    path("graphql", GraphQLView.as_view(), name="graphql"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
