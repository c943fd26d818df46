"""Economic intelligence: coercion early warning on trade flows and the incident register."""

from econsec.intelligence.incidents import Incident, evaluate, known_incidents
from econsec.intelligence.warning import Event, Settings, detect

__all__ = ["Event", "Incident", "Settings", "detect", "evaluate", "known_incidents"]
