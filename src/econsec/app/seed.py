"""The demo platform: a government office with cleared analysts, twelve firms of the demo world
with their supplier submissions (names spelt differently, as real firms do), findings and the
releases that pass the disclosure guard. Development only; the demo password is public."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from econsec.access.policy import Clearance
from econsec.app.platform import Platform
from econsec.app.sharing import publish_finding
from econsec.errors import DisclosureRefused
from econsec.intelligence.incidents import known_incidents
from econsec.sharing.compartments import COMPARTMENTS
from econsec.sharing.disclosure import check
from econsec.sharing.findings import Finding
from econsec.sharing.records import SupplierRecord
from econsec.storage import platform as store
from econsec.storage.intelligence import put_incidents
from econsec.storage.platform_db import organisations

if TYPE_CHECKING:
    from econsec.synthetic.world import World

__all__ = ["DEMO_PASSWORD", "Seeded", "seed_demo"]

DEMO_PASSWORD = "econsec-demo-password"
GOVERNMENT = "Economic Security Office (demo)"


@dataclass(frozen=True)
class Seeded:
    users: dict[str, str] = field(default_factory=dict)  # username -> role
    submissions: int = 0
    findings: int = 0
    releases: tuple[str, ...] = ()
    already: bool = False

    def summary(self) -> str:
        if self.already:
            return f"demo platform already seeded; the demo password is {DEMO_PASSWORD!r}"
        lines = [
            f"demo platform: {len(self.users)} users, {self.submissions} submissions, "
            f"{self.findings} findings, {len(self.releases)} released alerts",
            f"sign in with any of these users and the password {DEMO_PASSWORD!r}:",
        ]
        lines += [f"  {u:<12} {r}" for u, r in self.users.items()]
        return "\n".join(lines)


def _spelling(name: str, variant: int) -> str:
    """How the n-th firm writes a supplier's name."""
    return (name, name.upper() + " CO., LTD.", name + " Corporation", name.replace("firm", "Firm"))[
        variant % 4
    ]


def _supplier_records(
    world: World, buyers: list[str], rng: np.random.Generator
) -> dict[str, list[SupplierRecord]]:
    firms = world.firms.to_pylist()
    links = world.links.to_pylist()
    info = {f["firm_id"]: f for f in firms}
    inputs: dict[str, list[dict[str, Any]]] = defaultdict(list)  # Arrow rows
    for link in links:
        inputs[link["buyer_id"]].append(link)
    out: dict[str, list[SupplierRecord]] = {}
    for n, buyer in enumerate(buyers):
        direct = inputs[buyer]
        total = sum(link["value"] for link in direct)
        records = []
        per_product: dict[str, int] = defaultdict(int)
        for link in direct:
            per_product[link["product"]] += 1
        for link in direct:
            supplier = info[link["supplier_id"]]
            records.append(
                SupplierRecord(
                    supplier_name=_spelling(supplier["name"], n),
                    country=supplier["country"],
                    product=link["product"],
                    tier=1,
                    input_share=round(link["value"] / total, 4),
                    single_source=per_product[link["product"]] == 1 and link["essential"],
                    inventory_days=int(rng.integers(10, 90)),
                    classification="CONFIDENTIAL"
                    if link["product"].startswith(("8542", "8112"))
                    else "RESTRICTED",
                )
            )
            for up in inputs[link["supplier_id"]][:3]:  # what the firm knows of tier 2
                far = info[up["supplier_id"]]
                records.append(
                    SupplierRecord(
                        supplier_name=_spelling(far["name"], n + 1),
                        country=far["country"],
                        product=up["product"],
                        tier=2,
                        input_share=round(link["value"] / total * 0.3, 4),
                        single_source=False,
                        inventory_days=int(rng.integers(10, 90)),
                    )
                )
        out[buyer] = records
    return out


#: A power utility's plan for a control system (the demo of the equipment review).
DEMO_PLAN = (
    {"equipment": "Grid control system (SCADA)", "component": "controller",
     "supplier_name": "Demo Automation", "supplier_country": "CHN",
     "manufacturing_country": "CHN", "foreign_share": 0.55, "introduction_date": "2027-06-01"},
    {"equipment": "Grid control system (SCADA)", "component": "network switch",
     "supplier_name": "Demo Networks", "supplier_country": "USA", "manufacturing_country": "VNM",
     "maintenance_contractor": "Demo Services", "contractor_country": "JPN",
     "introduction_date": "2027-06-01"},
)  # fmt: skip


def _seed_review(
    platform: Platform, conn: sa.Connection, until: dt.date, users: dict[str, str]
) -> None:
    """A power utility that has filed a plan, and a reviewer of its sector."""
    import uuid

    from econsec.infrastructure.review import PLAN_FIELDS, file_plan
    from econsec.sharing.records import check as check_records
    from econsec.storage.plans import add_plan

    operator = "Demo power utility"
    org_id = store.create_org(conn, operator, "operator", "electricity")
    store.create_user(conn, "operator1", operator, "operator_submitter",
                      platform.hash_password(DEMO_PASSWORD))  # fmt: skip
    reviewer = Clearance("confidential", frozenset({"electricity", "gas", "telecommunications"}),
                         until, "Director-General (demo)")  # fmt: skip
    store.create_user(conn, "reviewer1", GOVERNMENT, "reviewer",
                      platform.hash_password(DEMO_PASSWORD), reviewer)  # fmt: skip
    users |= {"operator1": "operator_submitter", "reviewer1": "reviewer"}
    filed = platform.now().date() - dt.timedelta(days=24)
    add_plan(conn, platform.ring, org_id, operator, "electricity",
             check_records(PLAN_FIELDS, list(DEMO_PLAN)),
             file_plan(str(uuid.uuid4()), operator, "electricity", filed))  # fmt: skip


def seed_demo(platform: Platform, releases: int = 4) -> Seeded:
    """Seed ``platform`` (an empty store) with the demo organisations, users and data."""
    from econsec.synthetic.world import generate_world

    with platform.read() as conn:
        if conn.execute(
            sa.select(organisations.c.id).where(organisations.c.name == GOVERNMENT)
        ).first():
            return Seeded(already=True)
    world = generate_world()
    rng = np.random.default_rng(20221220)
    firms = [f for f in world.firms.to_pylist() if f["country"] == "JPN"]
    chosen = [f for f in firms if f["sector"] == "C29"][:8] + [
        f for f in firms if f["sector"] == "C26"
    ][:4]
    records = _supplier_records(world, [f["firm_id"] for f in chosen], rng)
    until = dt.date.today() + dt.timedelta(days=365)
    users: dict[str, str] = {}
    count = 0
    with platform.write() as conn:
        store.create_org(conn, GOVERNMENT, "government", None)
        staff = {
            "analyst": (
                "cleared_analyst",
                Clearance("top_secret", frozenset(COMPARTMENTS), until, "Director-General (demo)"),
            ),
            "analyst2": ("analyst", Clearance()),
            "auditor": ("auditor", Clearance()),
            "admin": ("platform_admin", Clearance()),
        }
        for name, (role, clearance) in staff.items():  # each hash with a salt of its own
            hashed = platform.hash_password(DEMO_PASSWORD)
            store.create_user(conn, name, GOVERNMENT, role, hashed, clearance)
            users[name] = role
        for n, firm in enumerate(chosen, 1):
            org = f"Demo {firm['sector']} firm {n:02d}"
            size = ("small", "medium", "large")[n % 3]
            org_id = store.create_org(conn, org, "firm", firm["sector"], size)
            user = f"firm{n:02d}"
            hashed = platform.hash_password(DEMO_PASSWORD)
            user_id = store.create_user(conn, user, org, "firm_submitter", hashed)
            users[user] = "firm_submitter"
            store.add_submission(
                conn, platform.ring, org_id, user_id, "suppliers", records[firm["firm_id"]]
            )
            count += 1
        _seed_review(platform, conn, until, users)
        put_incidents(conn, known_incidents(), "demo")  # the register's documented cases
        store.append_audit(conn, platform.ring, "demo", "seed", "platform", True, "demo data")
    found: list[Finding] = platform.findings()
    allowed = [f for f in found if check(f.contributions, (), platform.settings.guard).allowed]
    # release some, and leave at least two the guard allows for the analyst to work
    releases = min(releases, max(0, len(allowed) - 2))
    published: list[str] = []
    for f in allowed:
        if len(published) >= releases:
            break
        try:  # the guard decides
            release = publish_finding(platform, f, "all_firms", "analyst")
        except DisclosureRefused:
            continue
        published.append(f"{release.title}: {release.subject}")
    return Seeded(users, count, len(found), tuple(published))
