"""Self-contained HTML reports: tables and Plotly charts that work offline.

Every figure carries a caption with the data it was made from and the method version, so that
a chart copied out of the report still says where it came from. The Plotly library is embedded
once per page, so the file opens without a network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2

import econsec
from econsec.errors import ConfigError

__all__ = ["Figure", "Report", "render"]


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart (a Plotly figure as a dict) with its caption: data source and method version."""

    title: str
    plotly: dict[str, Any]
    data_source: str
    method: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """A report: title, summary lines, tables (as lists of dicts) and figures."""

    title: str
    summary: tuple[str, ...]
    figures: tuple[Figure, ...] = ()
    tables: tuple[tuple[str, list[dict[str, Any]]], ...] = ()
    provenance: dict[str, str] = field(default_factory=dict)
    lang: str = "en"


def _plotly_js() -> str:
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise ConfigError("HTML reports need Plotly: pip install 'econsec[report]'") from None
    return str(get_plotlyjs())


def _figure_div(figure: Figure, index: int) -> str:
    import plotly.io as pio

    return str(
        pio.to_html(
            figure.plotly,
            include_plotlyjs=False,
            full_html=False,
            div_id=f"figure-{index}",
            config={"displaylogo": False},
        )
    )


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if value is None:
        return "–"
    return str(value)


def render(report: Report) -> str:
    """The report as one HTML document (no external resources)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (
                resources.files("econsec.report").joinpath("templates", name).read_text("utf-8")
            )
        ),
        autoescape=True,
    )
    template = env.get_template("report.html.j2")
    figures = [
        {
            "title": f.title,
            "div": _figure_div(f, i),
            "data_source": f.data_source,
            "method": f.method,
            "note": f.note,
        }
        for i, f in enumerate(report.figures)
    ]
    tables = [
        {
            "title": title,
            "columns": list(rows[0]) if rows else [],
            "rows": [[_cell(v) for v in row.values()] for row in rows],
        }
        for title, rows in report.tables
    ]
    from econsec.i18n import N_, tr

    words = {w: tr(w, report.lang) for w in (N_("Data"), N_("Method"), N_("Provenance"),
                                             N_("None."))}  # fmt: skip
    return template.render(
        lang=report.lang,
        words=words,
        title=report.title,
        summary=report.summary,
        figures=figures,
        tables=tables,
        provenance={
            "econsec": econsec.__version__,
            "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **report.provenance,
        },
        plotly_js=_plotly_js() if figures else "",
    )
