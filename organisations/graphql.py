"""GraphQL for the organisations app (placeholder until the full types land)."""

import graphene


class Query(graphene.ObjectType):
    ping = graphene.String()

    def resolve_ping(root, info):
        return "pong"


class Mutation(graphene.ObjectType):
    noop = graphene.Boolean()
