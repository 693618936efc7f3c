"""The root GraphQL schema: each app contributes its Query and Mutation; the platform adds ``node(id:)``."""

import graphene

from hr.graphql import Mutation as HrMutation
from hr.graphql import Query as HrQuery
from integrations.exports.graphql import Mutation as ExportMutation
from integrations.exports.graphql import Query as ExportQuery
from integrations.tracktik.graphql import Mutation as TracktikMutation
from integrations.tracktik.graphql import Query as TracktikQuery
from organisations.graphql import Mutation as OrganisationsMutation
from organisations.graphql import Query as OrganisationsQuery
from payroll.graphql import Mutation as PayrollMutation
from payroll.graphql import Query as PayrollQuery
from timetracking.graphql import Mutation as TimetrackingMutation
from timetracking.graphql import Query as TimetrackingQuery
from timetracking.graphql_expenses import Mutation as ExpenseMutation
from timetracking.graphql_expenses import Query as ExpenseQuery
from timetracking.graphql_requests import Mutation as TimeRequestMutation
from timetracking.graphql_requests import Query as TimeRequestQuery
from timetracking.graphql_timesheets import Mutation as TimesheetMutation
from timetracking.graphql_timesheets import Query as TimesheetQuery
from timetracking.graphql_viewers import Query as ProjectViewerQuery
from trackyoursheets.api.graphql import node_field


class Query(
    OrganisationsQuery,
    PayrollQuery,
    TimetrackingQuery,
    TimesheetQuery,
    TimeRequestQuery,
    ProjectViewerQuery,
    ExpenseQuery,
    HrQuery,
    ExportQuery,
    TracktikQuery,
    graphene.ObjectType,
):
    """Every read of the API; the same scopes, tenancy and role visibility as REST."""

    node = node_field()


class Mutation(
    OrganisationsMutation,
    PayrollMutation,
    TimetrackingMutation,
    TimesheetMutation,
    TimeRequestMutation,
    ExpenseMutation,
    HrMutation,
    ExportMutation,
    TracktikMutation,
    graphene.ObjectType,
):
    """Every write of the API; each calls the same service as its REST endpoint."""


schema = graphene.Schema(query=Query, mutation=Mutation)
