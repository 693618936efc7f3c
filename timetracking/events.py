"""Outbox topics of the timetracking app, registered in the catalogue (integrations/events.py) when
the app loads (``apps.py`` imports this module)."""
