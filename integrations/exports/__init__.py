"""Report exports (issue 17): the report registry, the export job, its writers and surfaces.

``registry`` imports no domain app: each app declares its reports in its own ``exports.py`` and
registers them from ``apps.py``. See docs/architecture.md ("Report exports")."""
