"""GraphQL of the hr app: its Query and Mutation are mixed into trackyoursheets/schema.py."""

import graphene


class Query(graphene.ObjectType):
    pass


class Mutation(graphene.ObjectType):
    pass
