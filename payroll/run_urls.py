"""Page URLs of payroll runs under ``/app/payroll/`` (namespace ``payroll``, issue 18)."""

from django.urls import path

from .views.runs import MyPayView, PayrollConsoleView, PayrollRunActionView, PayrollRunPageView

app_name = "payroll"

urlpatterns = [
    path("", PayrollConsoleView.as_view(), name="console"),
    path("my-pay", MyPayView.as_view(), name="my-pay"),
    path("runs/<int:pk>", PayrollRunPageView.as_view(), name="run"),
    path("runs/<int:pk>/<slug:action>", PayrollRunActionView.as_view(), name="run-action"),
]
