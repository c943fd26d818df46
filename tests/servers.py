"""Real servers for fault and load tests: the econsec service in a child process and a private
throw-away PostgreSQL cluster (Debian's binaries, run as the ``postgres`` user)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


def _pg_bin() -> Path:
    """Debian's newest PostgreSQL binaries (or ``ECONSEC_TEST_PG_BIN``)."""
    if os.environ.get("ECONSEC_TEST_PG_BIN"):
        return Path(os.environ["ECONSEC_TEST_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return found[-1] if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"not ready after {seconds} s")


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """An ASGI app served on a free loopback port in this process (for real HTTP clients:
    browsers, taxii2-client, generated API clients); yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 20)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Service:
    """``econsec serve`` in a child process."""

    workspace: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, stdin: str | None = None) -> str:
        run = subprocess.run(
            [sys.executable, "-m", "econsec", *args, "--workspace", str(self.workspace)],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            check=True,
        )
        return run.stdout

    def start(self) -> Service:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "econsec", "serve", "--port", str(self.port),
             "--workspace", str(self.workspace)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: httpx.get(self.url + "/healthz").status_code == 200)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def token(self, username: str, password: str) -> dict[str, str]:
        r = httpx.post(
            self.url + "/api/v1/auth/token", data={"username": username, "password": password}
        )
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


def service(workspace: Path, database_url: str | None = None) -> Service:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECONSEC_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if database_url:
        env["ECONSEC_DATABASE_URL"] = database_url
    return Service(workspace, env)


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own, so a test may restart it without disturbing others."""

    folder: Path
    port: int = 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D",
             str(self.folder / "data"), *args],
            check=True, capture_output=True, cwd="/",
        )  # fmt: skip

    def start(self) -> PrivatePostgres:
        if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
            raise RuntimeError(f"PostgreSQL binaries not found in {PG_BIN} (see .ci/run)")
        self.folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.folder, "postgres")
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D",
             str(self.folder / "data"), "-U", "postgres", "-A", "trust", "--no-sync"],
            check=True, capture_output=True, cwd="/",
        )  # fmt: skip
        self.port = free_port()
        self._run("start")
        return self

    def _run(self, verb: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-l", str(self.folder / "log"), "-o", options, "-w", verb, "-m", "fast")

    def restart(self) -> None:
        self._run("restart")

    def stop(self) -> None:
        self._pg_ctl("-w", "stop", "-m", "immediate")
