"""Reports (an edge): self-contained HTML with charts and provenance."""

from econsec.report.html import Figure, Report, render

__all__ = ["Figure", "Report", "render"]
