"""The root GraphQL schema: each app contributes its Query and Mutation; the platform adds ``node(id:)``."""

import graphene

from organisations.graphql import Mutation as OrganisationsMutation
from organisations.graphql import Query as OrganisationsQuery
from trackyoursheets.api.graphql import node_field


class Query(OrganisationsQuery, graphene.ObjectType):
    """Every read of the API; the same scopes, tenancy and role visibility as REST."""

    node = node_field()


class Mutation(OrganisationsMutation, graphene.ObjectType):
    """Every write of the API; each calls the same service as its REST endpoint."""


schema = graphene.Schema(query=Query, mutation=Mutation)
