"""Outbox topics of the TrackTik connector: ids and counts only, never TrackTik data."""

from __future__ import annotations

__all__ = ["SYNC_COMPLETED", "SYNC_FAILED", "TOPICS", "run_payload"]

SYNC_COMPLETED = "tracktik.sync.completed"
SYNC_FAILED = "tracktik.sync.failed"

TOPICS: dict[str, str] = {
    SYNC_COMPLETED: "A TrackTik sync finished: its run id and counts.",
    SYNC_FAILED: "A TrackTik sync failed: its run id, counts so far and the reason.",
}


def run_payload(run) -> dict:
    return {
        "id": run.pk,
        "full": run.full,
        "status": run.status,
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
        "removed": run.removed_count,
        "flagged": run.flagged_count,
        "error_count": run.error_count,
    }
