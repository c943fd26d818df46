"""Load test of the platform service on loopback with Locust.

The demo platform (a government office, twelve firms with supplier submissions, released
alerts) is served by ``econsec serve --demo`` in a child process. Compared in the same run:

* baseline: ``GET /healthz`` only — the framework and network stack with no database or policy,
  the ceiling of this machine for the service process;
* mixed workload: firms read their alerts, benchmarks, submissions and identity and re-submit
  their supplier list (a write: validation, encryption, new version); cleared analysts list the
  findings; every request is authenticated, authorised and audited.

Goal: at least 200 requests per second for 60 seconds with p99 under 100 ms and no errors, on
SQLite and on PostgreSQL. Prints a table; the latest numbers are in docs/performance.md.

Run: ``python benchmarks/platform_load.py [--seconds 60] [--rate 220]
[--database-url postgresql+psycopg://…]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gevent
import httpx
from locust import FastHttpUser, constant_throughput, task
from locust.env import Environment

from econsec.app.seed import DEMO_PASSWORD

ROW = "Synthetic C26 firm 2-{n},CHN,854231,1,0.2,no,30\n"
HEADER = "supplier_name,country,product,tier,input_share,single_source,inventory_days\n"
USERS_PER_SECOND_EACH = 5.0


def _login(user: FastHttpUser, name: str) -> dict[str, str]:
    r = user.client.post(
        "/api/v1/auth/token",
        data=f"username={name}&password={DEMO_PASSWORD}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        name="login",
    )
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


class Firm(FastHttpUser):
    weight = 9
    wait_time = constant_throughput(USERS_PER_SECOND_EACH)
    count = 0

    def on_start(self) -> None:
        Firm.count += 1
        self.n = Firm.count
        self.auth = _login(self, f"firm{(self.n % 12) + 1:02d}")

    @task(4)
    def alerts(self) -> None:
        self.client.get("/api/v1/alerts", headers=self.auth, name="alerts")

    @task(2)
    def benchmarks(self) -> None:
        self.client.get("/api/v1/benchmarks", headers=self.auth, name="benchmarks")

    @task(2)
    def submissions(self) -> None:
        self.client.get("/api/v1/submissions?limit=20", headers=self.auth, name="submissions")

    @task(1)
    def me(self) -> None:
        self.client.get("/api/v1/me", headers=self.auth, name="me")

    @task(1)
    def submit(self) -> None:
        rows = "".join(ROW.format(n=(self.n + k) % 100) for k in range(5))
        self.client.post(
            "/api/v1/submissions/suppliers",
            data=(HEADER + rows).encode(),
            headers={**self.auth, "Content-Type": "text/csv"},
            name="submit",
        )


class Analyst(FastHttpUser):
    weight = 1
    wait_time = constant_throughput(USERS_PER_SECOND_EACH)

    def on_start(self) -> None:
        self.auth = _login(self, "analyst")

    @task
    def findings(self) -> None:
        self.client.get("/api/v1/findings", headers=self.auth, name="findings")


class Health(FastHttpUser):
    wait_time = constant_throughput(USERS_PER_SECOND_EACH)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="healthz")


def run(
    host: str, users: list[type[FastHttpUser]], n_users: int, seconds: float
) -> dict[str, float]:
    env = Environment(user_classes=users, host=host)
    runner = env.create_local_runner()
    # Users start spread over 8 s, so that their request schedules are out of phase (started
    # together, constant-throughput users fire in synchronised bursts), and all have signed in
    # (argon2 is slow on purpose) before measuring starts.
    runner.start(n_users, spawn_rate=n_users / 8)
    gevent.sleep(10)
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    total = env.stats.total
    result = {
        "requests": total.num_requests,
        "rps": total.num_requests / elapsed,
        "p50_ms": total.get_response_time_percentile(0.5),
        "p99_ms": total.get_response_time_percentile(0.99),
        "errors": total.num_failures,
        "endpoints": {
            name: (e.num_requests, e.get_response_time_percentile(0.5),
                   e.get_response_time_percentile(0.99))
            for (name, _), e in env.stats.entries.items()
        },
    }  # fmt: skip
    runner.quit()
    return result


def serve(
    workspace: Path, database_url: str | None, workers: int
) -> tuple[subprocess.Popen[bytes], str]:
    port = 8765
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECONSEC_")}
    if database_url:
        env["ECONSEC_DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "econsec", "serve", "--demo", "--port", str(port),
         "--workspace", str(workspace), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    host = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(host + "/healthz").status_code == 200:
                return process, host
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the service did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=220, help="offered requests per second")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=2, help="service worker processes")
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    n_users = round(args.rate / USERS_PER_SECOND_EACH)
    with tempfile.TemporaryDirectory() as folder:
        process, host = serve(Path(folder), args.database_url, args.workers)
        try:
            base = run(host, [Health], n_users, min(args.seconds, 15))
            mixed = run(host, [Firm, Analyst], n_users, args.seconds)
        finally:
            process.terminate()
            process.wait(10)
    print(
        f"\nplatform load, {backend}, {args.workers} workers, offered {args.rate:.0f} req/s, "
        f"{n_users} users, {args.seconds:.0f} s"
    )
    print(f"{'workload':<22}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'requests':>10}")
    for name, r in (("baseline /healthz", base), ("mixed API", mixed)):
        print(
            f"{name:<22}{r['rps']:>8.1f}{r['p50_ms']:>9.0f}{r['p99_ms']:>9.0f}"
            f"{r['errors']:>8.0f}{r['requests']:>10.0f}"
        )
    print(f"\n{'mixed API endpoint':<22}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for name, (n, p50, p99) in sorted(mixed["endpoints"].items()):
        print(f"{name:<22}{n:>9}{p50:>9.0f}{p99:>9.0f}")


if __name__ == "__main__":
    main()
