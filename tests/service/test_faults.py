"""Faults: the server killed during uploads, PostgreSQL restarted under traffic."""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import socket
import struct
import tempfile
import termios
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from servers import PrivatePostgres, Service, service, wait_until

PASSWORD = "a long enough password"
HEADER = "supplier_name,country,product,tier,input_share,single_source,inventory_days\n"


def _prepare(s: Service) -> None:
    s.cli("admin", "create-org", "Maker", "--kind", "firm", "--sector", "C29")
    s.cli("admin", "create-user", "maker", "--org", "Maker", "--role", "firm_submitter",
          "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip


def _unsent(sock: socket.socket) -> int:
    """Bytes the kernel has not yet handed to the peer (Linux: TIOCOUTQ)."""
    return struct.unpack("i", fcntl.ioctl(sock, termios.TIOCOUTQ, b"\0\0\0\0"))[0]


def _audited(url: str) -> int:
    """The submissions authorised so far (their decisions are in the audit log first)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT count(*) FROM audit_log WHERE action = 'submit'")
            return int(conn.execute(query).one()[0])
    except sa.exc.OperationalError:  # busy while the server writes: not yet
        return -1
    finally:
        engine.dispose()


def _submissions(url: str) -> list[tuple[str, int, str]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, n_records, status FROM submissions")).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    # Not under pytest's tmp_path: the postgres user cannot enter root's private folders.
    folder = Path(tempfile.mkdtemp(prefix="econsec-pg-"))
    pg = PrivatePostgres(folder).start()
    yield pg
    pg.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_server_killed_during_upload_leaves_no_partial_submission(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    url = None
    if backend == "postgresql":
        url = request.getfixturevalue("private_pg").url
    s = service(tmp_path / "ws", url)
    _prepare(s)
    url = url or f"sqlite:///{tmp_path / 'ws' / 'platform' / 'platform.db'}"
    s.start()
    headers = s.token("maker", PASSWORD)
    body = (HEADER + "Acme Gallium,CHN,811292,1,0.0001,no,30\n" * 20_000).encode()
    # 1. killed while the body is still arriving
    with socket.create_connection(("127.0.0.1", s.port)) as raw:
        raw.sendall(
            (
                "POST /api/v1/submissions/suppliers HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: {headers['Authorization']}\r\nContent-Type: text/csv\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body[: len(body) // 2]
        )
        wait_until(lambda: _unsent(raw) == 0, 10)  # the half is with the server
        s.kill()
    assert _submissions(url) == []
    # 2. killed as the request goes out, and while the whole upload is validated and stored
    for stage in ("sending", "authorised"):
        s.start()
        headers = s.token("maker", PASSWORD)
        sending = threading.Event()
        audited = _audited(url)

        def upload(h: dict[str, str] = headers, sent: threading.Event = sending) -> None:
            hooks = {"request": [lambda request: sent.set()]}
            with contextlib.suppress(httpx.HTTPError), httpx.Client(event_hooks=hooks) as c:
                c.post(s.url + "/api/v1/submissions/suppliers", content=body,
                       headers={**h, "Content-Type": "text/csv"}, timeout=30)  # fmt: skip

        worker = threading.Thread(target=upload, daemon=True)
        try:
            worker.start()
            if stage == "sending":
                wait_until(sending.is_set, 10)
            else:  # the submission was authorised (audited); validation and storage follow
                wait_until(lambda n=audited: _audited(url) > n, 30)
        finally:
            s.kill()
        worker.join(5)
        for _, n, _ in _submissions(url):
            assert n == 20_000  # all of it or nothing
    s.start()
    listed = httpx.get(s.url + "/api/v1/submissions", headers=s.token("maker", PASSWORD))
    assert listed.status_code == 200
    assert sum(x["status"] == "current" for x in listed.json()) <= 1
    for sub in listed.json():
        full = httpx.get(
            s.url + f"/api/v1/submissions/{sub['id']}", headers=s.token("maker", PASSWORD)
        )
        assert len(full.json()["records"]) == 20_000
    s.kill()


def test_postgres_restart_under_traffic_loses_no_acknowledged_submission(
    tmp_path: Path, private_pg: PrivatePostgres
) -> None:
    s = service(tmp_path / "ws", private_pg.url)
    _prepare(s)
    s.start()
    headers = s.token("maker", PASSWORD)
    acknowledged: list[str] = []
    statuses: list[int] = []
    stop = threading.Event()

    def traffic() -> None:
        with httpx.Client(base_url=s.url, headers=headers, timeout=10) as client:
            n = 0
            while not stop.is_set():
                n += 1
                row = f"Supplier {n},CHN,811292,1,0.5,no,30\n"
                try:
                    r = client.post(
                        "/api/v1/submissions/suppliers",
                        content=(HEADER + row).encode(),
                        headers={"Content-Type": "text/csv"},
                    )
                except httpx.HTTPError:
                    statuses.append(0)
                    continue
                statuses.append(r.status_code)
                if r.status_code == 201:
                    acknowledged.append(r.json()["id"])

    threads = [threading.Thread(target=traffic) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(acknowledged) >= 10, 30)  # traffic flows
        before = len(acknowledged)
        private_pg.restart()
        # traffic flows again: five acknowledged in a row after the restart
        wait_until(lambda: len(acknowledged) > before + 5 and statuses[-5:] == [201] * 5, 60)
    finally:
        stop.set()
        for t in threads:
            t.join(15)
    after_restart = statuses[-5:]
    s.kill()
    stored = {sid for sid, _, _ in _submissions(private_pg.url)}
    assert before > 0 and len(acknowledged) > before  # traffic went on after the restart
    assert set(acknowledged) <= stored  # no acknowledged submission lost
    assert after_restart == [201] * 5  # recovered by itself
    assert set(statuses) <= {201, 503, 0}
