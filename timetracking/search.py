"""Search across projects, tasks, clients and time entries (``GET /v1/search``): each kind read
through its scoped selector, so an actor finds only what they may see."""

from __future__ import annotations

from django.db.models import Q

from organisations.actors import Actor

from .choices import ProjectStatus
from .selectors import client_list, project_list, task_list, time_entry_list

SEARCH_TYPES = ("project", "task", "client", "entry")


def search(*, actor: Actor, q: str, types: tuple[str, ...] = SEARCH_TYPES, limit: int = 10) -> list[dict]:
    """Projects (name, description; active only), tasks (name, description; of active projects),
    clients (name, email, company) and time entries (notes, tags; only those the actor may see,
    so an employee finds only their own). At most ``limit`` results of each type."""
    results: list[dict] = []
    if "project" in types:
        for project in (
            project_list(actor=actor)
            .filter(status=ProjectStatus.ACTIVE)
            .filter(Q(name__icontains=q) | Q(description__icontains=q))[:limit]
        ):
            results.append(
                {
                    "type": "project",
                    "category": "project",
                    "id": project.pk,
                    "title": project.name,
                    "description": project.description,
                    "url": f"/v1/projects/{project.pk}",
                    "badge": "Project",
                }
            )
    if "task" in types:
        for task in (
            task_list(actor=actor)
            .filter(project__status=ProjectStatus.ACTIVE)
            .filter(Q(name__icontains=q) | Q(description__icontains=q))[:limit]
        ):
            results.append(
                {
                    "type": "task",
                    "category": "task",
                    "id": task.pk,
                    "title": task.name,
                    "description": task.project.name,
                    "url": f"/v1/tasks/{task.pk}",
                    "badge": task.get_status_display(),
                }
            )
    if "client" in types:
        for client in client_list(actor=actor).filter(
            Q(name__icontains=q) | Q(email__icontains=q) | Q(company__icontains=q)
        )[:limit]:
            results.append(
                {
                    "type": "client",
                    "category": "client",
                    "id": client.pk,
                    "title": client.name,
                    "description": client.company or client.email,
                    "url": f"/v1/clients/{client.pk}",
                    "badge": "Client",
                }
            )
    if "entry" in types:
        for entry in time_entry_list(actor=actor).filter(Q(notes__icontains=q) | Q(tags__icontains=q))[:limit]:
            results.append(
                {
                    "type": "entry",
                    "category": "entry",
                    "id": entry.pk,
                    "title": entry.notes[:80] or entry.project.name,
                    "description": f"{entry.project.name} · {entry.start_time:%Y-%m-%d}",
                    "url": f"/v1/time-entries/{entry.pk}",
                    "badge": "Time entry",
                }
            )
    return results
