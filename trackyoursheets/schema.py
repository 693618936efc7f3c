"""The root GraphQL schema: each app contributes its Query and Mutation."""

import graphene

from organisations.graphql import Mutation as OrganisationsMutation
from organisations.graphql import Query as OrganisationsQuery


class Query(OrganisationsQuery, graphene.ObjectType):
    pass


class Mutation(OrganisationsMutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
