"""The real URLconf plus one view that crashes, to prove 500s are problems too."""

from django.urls import path
from rest_framework.views import APIView

from trackyoursheets.urls import urlpatterns as real_urlpatterns


class CrashView(APIView):
    required_scope = "workspaces.read"

    def get(self, request):
        raise RuntimeError("secret internal detail: db password is hunter2")

    post = get


urlpatterns = [path("v1/crash", CrashView.as_view()), *real_urlpatterns]
