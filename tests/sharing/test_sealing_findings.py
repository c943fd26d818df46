"""Encryption at rest with key rotation; findings, benchmarks and the STIX exchange on small
hand-made inputs."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import stix2
from cryptography.exceptions import InvalidTag

from econsec.errors import ConfigError
from econsec.sharing.benchmarks import Profile, profile, report, snapshot
from econsec.sharing.exchange import TLP2, TLP2_EXTENSION, alert_bundle
from econsec.sharing.findings import SupplierLink, find
from econsec.sharing.records import SupplierRecord
from econsec.sharing.releases import Release
from econsec.storage.sealing import KeyRing, new_key


def test_rotation_opens_old_values_and_seals_with_the_new_key() -> None:
    old = KeyRing({"k1": new_key()}, "k1")
    sealed = old.seal(b"records", b"sub-1")
    rotated = KeyRing({"k2": new_key(), "k1": old.keys["k1"]}, "k2")
    assert rotated.open(sealed, b"sub-1") == b"records"
    assert rotated.key_id(rotated.seal(b"records", b"sub-1")) == "k2"
    with pytest.raises(InvalidTag):
        rotated.open(sealed, b"sub-2")  # moved to another record
    with pytest.raises(ConfigError, match="was a key dropped"):
        KeyRing({"k2": rotated.keys["k2"]}, "k2").open(sealed, b"sub-1")
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(InvalidTag):
        old.open(tampered, b"sub-1")


def _link(org: str, name: str, country: str, tier: int = 1, share: float = 0.5) -> SupplierLink:
    return SupplierLink(
        org, "C29", SupplierRecord(name, country, "854231", tier, share, tier == 1, 30)
    )


def test_findings_by_hand() -> None:
    links = [
        _link("A", "Chipco", "TWN", 1, 0.6),
        _link("B", "CHIPCO LTD", "TWN", 2, 0.2),
        _link("C", "Chipco Inc.", "TWN", 2, 0.1),
        _link("A", "Other", "KOR", 1, 0.4),
        _link("B", "Another", "KOR", 1, 0.8),
    ]
    by_kind = {(f.kind, f.subject): f for f in find(links)}
    shared = by_kind[("shared_supplier", next(s for k, s in by_kind if k == "shared_supplier"))]
    assert shared.contributions == {"A": 0.6, "B": 0.2, "C": 0.1}
    hidden = next(f for f in by_kind.values() if f.kind == "hidden_tier2_overlap")
    assert set(hidden.contributions) == {"B", "C"}
    assert not any(f.kind == "single_source_cluster" for f in by_kind.values())
    korea = by_kind[("shared_country", "KOR")]
    assert korea.stats["country_share"] == pytest.approx(1.2 / 2.1)
    assert korea.stats["hhi"] == pytest.approx((0.9 / 2.1) ** 2 + (1.2 / 2.1) ** 2)
    assert korea.compartment == "semiconductors"


def test_benchmark_snapshot_keeps_what_was_published() -> None:
    records = [
        SupplierRecord("A", "CHN", "850511", 1, 0.5, True, 20),
        SupplierRecord("B", "JPN", "850511", 1, 0.5, False, 60),
    ]
    own = profile(records)
    assert own is not None and own.concern_share == 0.5 and own.inventory_days == 40
    peers = {f"f{i}": replace(own, inventory_days=10.0 * (i + 1)) for i in range(5)}
    snap = snapshot("C29", "2026-12", "2026-12-01T00:00:00Z", peers)
    assert snap.means["inventory_days"] == 30.0  # (10 + 20 + 30 + 40 + 50) / 5
    # f4 moves its own number: its report does not move until the next snapshot
    moved: Profile = replace(own, inventory_days=1000.0)
    report_ = report(snap, "f4", moved)
    assert report_.metrics["inventory_days"].own == 50.0
    assert report_.metrics["inventory_days"].sector_mean == 30.0
    assert report_.metrics["inventory_days"].position == "highest quarter"
    assert report(None, "f4", own).status == "insufficient data"


def test_stix_bundle_round_trip() -> None:
    alert = Release(
        id="a1",
        finding_id="f1",
        kind="shared_supplier",
        title="Many firms depend on one supplier",
        text="…",
        subject="Acme Gallium (CHN)",
        supplier="Acme Gallium",
        product="811292",
        country="CHN",
        n_firms=5,
        audience="all_firms",
        tlp="green",
        published="2026-11-27T00:00:00Z",
        method="test",
    )
    bundle = stix2.parse(alert_bundle([alert]), allow_custom=False)
    types = sorted(o.type for o in bundle.objects)
    assert types == ["identity", "identity", "location", "marking-definition", "report"]
    marking = next(o for o in bundle.objects if o.type == "marking-definition")
    assert marking.id == TLP2["green"]
    ext = json.loads(marking.serialize())["extensions"]
    assert ext[TLP2_EXTENSION]["tlp_2_0"] == "green"


def test_noisy_mean_is_unbiased_and_states_its_privacy_loss() -> None:
    from econsec.sharing.privacy import noisy_mean

    runs = [noisy_mean([0.5] * 200, 1.0) for _ in range(200)]
    assert all(abs(r.epsilon - 1.0) < 1e-6 for r in runs)
    counts = [r.count for r in runs]
    means = [r.mean for r in runs]
    # Laplace(scale 2) on the count: mean 200, standard deviation 2.83; 200 runs -> se 0.2
    assert abs(sum(counts) / len(counts) - 200) < 1.5
    assert abs(sum(means) / len(means) - 0.5) < 0.02
    assert len(set(counts)) > 3  # noise is really added
