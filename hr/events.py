"""Outbox topics of the hr app, registered in the catalogue (integrations/events.py) when
the app loads (``apps.py`` imports this module)."""
