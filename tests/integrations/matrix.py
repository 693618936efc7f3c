"""The report exports' rows in the shared tenancy and query-count harnesses (tests/platform/registry.py).
``POST /v1/reports/export`` holds no object: its tenancy (an export sees only the requester's
organisation's data) is tested in tests/integrations/test_exports_lifecycle.py."""

from integrations.models import ReportExport
from tests.platform.registry import Node, Resource


def make_export(org, n=0):
    return ReportExport.objects.create(
        organisation=org, report="time_entries", format="csv", actor_kind="oauth", actor_label=f"Export {n:03d}"
    )


RESOURCES = [
    Resource(
        name="report-exports",
        list_url="/v1/reports/exports",
        make=make_export,
        mutations=(("get", "/download", None), ("delete", "", None)),
    ),
]

NON_OBJECT_ROUTES = {"reports/export"}

LISTS = [("/v1/reports/exports", make_export)]

GRAPHQL_NODES = [Node("ReportExport", make_export, "reportExports", "reportExport")]
