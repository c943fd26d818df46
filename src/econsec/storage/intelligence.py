"""The platform store's intelligence tables: the incident register, detected trade events,
surveys and their (sealed) responses."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from econsec.errors import NotFoundError
from econsec.intelligence.incidents import Incident, load
from econsec.intelligence.warning import Event
from econsec.sharing.surveys import (
    Answer,
    MeanResult,
    OptionShare,
    Question,
    QuestionResult,
    SharesResult,
    Survey,
    SurveyResults,
    WithheldResult,
)
from econsec.storage.platform import now
from econsec.storage.platform_db import (
    incidents,
    organisations,
    survey_responses,
    surveys,
    trade_events,
)
from econsec.storage.sealing import KeyRing

__all__ = [
    "close_survey",
    "create_survey",
    "delete_incident",
    "firm_strata",
    "get_results",
    "get_survey",
    "list_events",
    "list_incidents",
    "list_surveys",
    "participants",
    "put_events",
    "put_incidents",
    "put_response",
    "put_results",
    "responses",
]


def put_incidents(conn: sa.Connection, items: Sequence[Incident], user_id: str) -> None:
    """Add or replace incidents by id (in the caller's transaction)."""
    ids = [i.id for i in items]
    conn.execute(incidents.delete().where(incidents.c.id.in_(ids)))
    if items:
        conn.execute(incidents.insert(), [
            {"id": i.id, "body": json.dumps(i.as_dict(), ensure_ascii=False),
             "updated_at": now(), "updated_by": user_id} for i in items
        ])  # fmt: skip


def list_incidents(conn: sa.Connection) -> list[Incident]:
    bodies = conn.execute(sa.select(incidents.c.body).order_by(incidents.c.id)).scalars()
    records = [json.loads(b) for b in bodies]
    return load(records) if records else []


def delete_incident(conn: sa.Connection, incident_id: str) -> None:
    if conn.execute(incidents.delete().where(incidents.c.id == incident_id)).rowcount == 0:
        raise NotFoundError(f"no incident {incident_id!r}")


def _event_id(source: str, e: Event) -> str:
    key = json.dumps([source, e.exporter, e.importer, e.product, e.period])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def put_events(conn: sa.Connection, events: Sequence[Event], source: str, user_id: str) -> None:
    """Replace the events of ``source`` (a re-run of the detector on the same data)."""
    conn.execute(trade_events.delete().where(trade_events.c.source == source))
    _insert_events(conn, events, source, user_id)


def _insert_events(conn: sa.Connection, events: Sequence[Event], source: str, user_id: str) -> None:
    if events:
        conn.execute(trade_events.insert(), [
            {"id": _event_id(source, e), "source": source,
             "body": json.dumps(e.as_dict(), ensure_ascii=False), "created_at": now(),
             "created_by": user_id} for e in events
        ])  # fmt: skip


def add_events(
    conn: sa.Connection, events: Sequence[Event], source: str, user_id: str
) -> list[Event]:
    """Keep the events of ``source`` not already kept (a scheduled re-run finds the same events
    again: they keep the time they were first found); the new ones."""
    found = {_event_id(source, e): e for e in events}
    held = set(conn.execute(sa.select(trade_events.c.id)
                            .where(trade_events.c.id.in_(list(found)))).scalars())  # fmt: skip
    new = [e for eid, e in found.items() if eid not in held]
    _insert_events(conn, new, source, user_id)
    return new


def list_events(conn: sa.Connection) -> list[tuple[str, str, Event, str]]:
    """(id, source, event, when it was first kept) of every stored event, most confident
    first."""
    out = []
    for row in conn.execute(sa.select(trade_events)):
        d = json.loads(row.body)
        out.append((row.id, row.source, Event(
            d["exporter"], d["importer"], d["product"], d["period"], d["drop_share"],
            d["persistence"], d["confidence"], d["comparison"]),
            row.created_at.isoformat() if row.created_at else ""))  # fmt: skip
    return sorted(out, key=lambda r: (-r[2].confidence, r[2].period, r[0]))


def create_survey(
    conn: sa.Connection, title: str, questions: Sequence[Question], audience: str, user_id: str,
    closes_on: str | None = None,
) -> str:  # fmt: skip
    survey_id = str(uuid.uuid4())
    body = {"title": title, "questions": [dataclasses.asdict(q) for q in questions],
            "closes_on": closes_on}  # fmt: skip
    conn.execute(surveys.insert().values(
        id=survey_id, body=json.dumps(body, ensure_ascii=False),
        audience=audience, status="open", created_at=now(), created_by=user_id))  # fmt: skip
    return survey_id


def _survey(row: Any) -> Survey:
    body = json.loads(row.body)
    questions = tuple(
        Question(**{**q, "options": tuple(q.get("options") or ())}) for q in body["questions"]
    )
    return Survey(row.id, body["title"], questions, row.audience, row.status,
                  row.created_at.isoformat(),
                  row.closed_at.isoformat() if row.closed_at else None,
                  body.get("closes_on"))  # fmt: skip


def get_survey(conn: sa.Connection, survey_id: str) -> Survey:
    row = conn.execute(sa.select(surveys).where(surveys.c.id == survey_id)).first()
    if row is None:
        raise NotFoundError("no survey with this id")
    return _survey(row)


def list_surveys(conn: sa.Connection) -> list[Survey]:
    rows = conn.execute(sa.select(surveys).order_by(surveys.c.created_at.desc(), surveys.c.id))
    return [_survey(r) for r in rows]


def close_survey(conn: sa.Connection, survey_id: str) -> None:
    conn.execute(surveys.update().where(surveys.c.id == survey_id)
                 .values(status="closed", closed_at=now()))  # fmt: skip


def put_results(conn: sa.Connection, results: SurveyResults) -> None:
    """Keep a closed survey's results as published."""
    conn.execute(surveys.update().where(surveys.c.id == results.survey_id)
                 .values(results=json.dumps(dataclasses.asdict(results), ensure_ascii=False)))  # fmt: skip


def get_results(conn: sa.Connection, survey_id: str) -> SurveyResults | None:
    """A closed survey's results as published (None before they are)."""
    text = conn.execute(sa.select(surveys.c.results).where(surveys.c.id == survey_id)).scalar()
    if text is None:
        return None
    d = json.loads(text)
    questions: list[QuestionResult] = []
    for q in d["questions"]:
        if q["status"] == "withheld":
            questions.append(WithheldResult(**q))
        elif "options" in q:
            options = tuple(OptionShare(o["option"], o["share"], tuple(o["ci95"]))
                            for o in q["options"])  # fmt: skip
            questions.append(SharesResult(**{**q, "options": options}))
        else:
            questions.append(MeanResult(**{**q, "ci95": tuple(q["ci95"])}))
    return SurveyResults(d["survey_id"], d["title"], d["n_firms"], d["coverage"],
                         tuple(questions), d["method"])  # fmt: skip


def put_response(
    conn: sa.Connection, ring: KeyRing, survey_id: str, org_id: str, answers: Mapping[str, Answer]
) -> None:
    """Store (or replace) an organisation's answers, sealed with the survey and firm as
    associated data."""
    sealed = ring.seal(json.dumps(answers).encode(), f"{survey_id}/{org_id}".encode())
    key = (survey_responses.c.survey_id == survey_id) & (survey_responses.c.org_id == org_id)
    conn.execute(survey_responses.delete().where(key))
    conn.execute(survey_responses.insert().values(
        survey_id=survey_id, org_id=org_id, answers=sealed, created_at=now()))  # fmt: skip


def responses(conn: sa.Connection, ring: KeyRing, survey_id: str) -> dict[str, dict[str, Answer]]:
    rows = conn.execute(sa.select(survey_responses)
                        .where(survey_responses.c.survey_id == survey_id))  # fmt: skip
    return {
        r.org_id: json.loads(ring.open(r.answers, f"{survey_id}/{r.org_id}".encode())) for r in rows
    }


def participants(conn: sa.Connection, survey_id: str) -> frozenset[str]:
    """The organisations that answered (their answers stay sealed)."""
    query = sa.select(survey_responses.c.org_id).where(survey_responses.c.survey_id == survey_id)
    return frozenset(conn.execute(query).scalars())


def firm_strata(conn: sa.Connection) -> dict[str, tuple[str, str]]:
    """Every firm's (sector, size class); unknown ones as ``unknown``."""
    rows = conn.execute(sa.select(organisations.c.id, organisations.c.sector,
                                  organisations.c.size).where(organisations.c.kind == "firm"))  # fmt: skip
    return {r.id: (r.sector or "unknown", r.size or "unknown") for r in rows}
