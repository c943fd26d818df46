"""Economic intelligence: coercion early warning on trade flows."""

from econsec.intelligence.warning import Event, Settings, detect

__all__ = ["Event", "Settings", "detect"]
