"""The econsec service: the FastAPI application over the platform store (an edge)."""

from econsec.service.app import create_app
from econsec.service.settings import ServiceSettings, load_settings

__all__ = ["ServiceSettings", "create_app", "load_settings"]
