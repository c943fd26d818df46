"""The equipment review's pages: an operator files a plan as CSV and answers a recommendation;
a reviewer of its sector sees the deadline reminder, the risk factors, decides; nobody else sees
the pages or the plan."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from web.conftest import Site, csrf_of, seeded, sign_in

CSV = ("equipment,component,supplier_name,supplier_country,manufacturing_country,"
       "introduction_date\nSubstation protection,relay,Demo Automation,CHN,CHN,2027-09-01\n")  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with seeded(tmp_path_factory.mktemp("reviews")) as site:
        yield site


def test_an_operator_files_and_a_reviewer_decides_in_the_pages(demo: Site) -> None:
    operator = demo.client()
    sign_in(operator, "operator1")
    page = operator.get("/portal/plans").text
    assert "Grid control system (SCADA)" in page  # the seeded plan
    bad = operator.post("/portal/plans", params={"csrf_token": csrf_of(page)},
                        files={"file": ("plan.csv", CSV.replace(",CHN,CHN,", ",Atlantis,CHN,"))})  # fmt: skip
    assert bad.status_code == 422 and "supplier_country" in bad.text
    r = operator.post("/portal/plans", params={"csrf_token": csrf_of(page)},
                      files={"file": ("plan.csv", CSV)})  # fmt: skip
    assert r.status_code == 200 and "Plan filed; the review period ends on" in r.text
    reviewer = demo.client()
    sign_in(reviewer, "reviewer1")
    worklist = html.unescape(reviewer.get("/console/reviews").text)
    assert "Deadlines within 7 days" in worklist and "6 days left" in worklist
    ids = re.findall(r'href="/console/reviews/([0-9a-f-]{36})"', worklist)
    assert len(set(ids)) == 2
    pages = {i: html.unescape(reviewer.get(f"/console/reviews/{i}").text) for i in set(ids)}
    (newest,) = [i for i, text in pages.items() if "relay" in text]  # the plan just filed
    detail = pages[newest]
    assert "a country of concern" in detail and "country_of_concern" not in detail  # in words
    form_page = reviewer.get(f"/console/reviews/{newest}").text
    decided = reviewer.post(f"/console/reviews/{newest}", params={"csrf_token": csrf_of(form_page)},
                            data={"step": "decide", "decision": "recommendation",
                                  "reasons": "choose another relay maker"})  # fmt: skip
    assert decided.status_code == 200 and "choose another relay maker" in decided.text
    plans_page = operator.get("/portal/plans").text
    assert "choose another relay maker" in plans_page and "Accept the recommendation" in plans_page
    for who in ("firm01", "analyst", "analyst2"):
        other = demo.client()
        sign_in(other, who)
        assert other.get("/portal/plans").status_code in (403, 404)
        assert other.get(f"/console/reviews/{newest}").status_code in (403, 404)
    assert operator.get("/console/reviews").status_code in (403, 404)


def test_the_pages_read_in_japanese(demo: Site) -> None:
    reviewer = demo.client()
    sign_in(reviewer, "reviewer1")
    reviewer.cookies.set("lang", "ja")
    page = reviewer.get("/console/reviews").text
    assert "設備の審査" in page and "7 日以内の期限" in page and "電気" in page
