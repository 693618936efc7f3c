"""Outbox topics of the organisations app (``<domain>.<entity>.<past verb>``), registered from ``apps.py``."""

WORKSPACE_CREATED = "organisation.workspace.created"
WORKSPACE_UPDATED = "organisation.workspace.updated"
PRODUCER_CREATED = "organisation.producer.created"
PRODUCER_UPDATED = "organisation.producer.updated"
MEMBER_INVITED = "organisation.member.invited"

#: registered in the outbox catalogue from ``apps.py``
TOPICS: dict[str, str] = {
    WORKSPACE_CREATED: "A workspace was created.",
    WORKSPACE_UPDATED: ("A workspace was renamed, moved, described, archived or re-activated, or its agents changed."),
    PRODUCER_CREATED: "A producer was created.",
    PRODUCER_UPDATED: "A producer changed (display name, portal access, status, workspace, ...).",
    MEMBER_INVITED: "Someone was invited to join the organisation.",
}


def workspace_payload(workspace) -> dict:
    return {
        "id": workspace.pk,
        "name": workspace.name,
        "office_id": workspace.office_id,
        "status": workspace.status,
        "agent_membership_ids": sorted(workspace.agent_links.values_list("membership_id", flat=True)),
    }


def producer_payload(producer) -> dict:
    return {
        "id": producer.pk,
        "display_name": producer.display_name,
        "producer_code": producer.producer_code,
        "status": producer.status,
        "portal_access": producer.portal_access,
        "workspace_id": producer.workspace_id,
    }
