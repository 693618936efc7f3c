"""Filled by a later issue (DESIGN §2)."""
