"""GraphQL of the integrations app (statement imports): mixed into trackyoursheets/schema.py."""

import graphene


class Query(graphene.ObjectType):
    pass


class Mutation(graphene.ObjectType):
    pass
