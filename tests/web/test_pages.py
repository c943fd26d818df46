"""The web pages through the ASGI app: roles and refusals, CSRF, cookies, escaping, languages."""

from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir

from econsec.sharing.records import KINDS
from econsec.sharing.releases import TITLES
from econsec.web import i18n
from econsec.web.console import COLUMNS
from econsec.web.portal import METRIC_LABELS
from econsec.web.render import RULE_LABELS, navigation
from web.conftest import Site, csrf_of, form_post, sign_in

FIRM_PAGES = ["/portal/submissions", "/portal/suppliers", "/portal/exposure", "/portal/alerts"]
ANALYST_PAGES = ["/console/data", "/console/screen", "/console/scenarios", "/console/findings",
                 "/console/intelligence"]  # fmt: skip


def test_pages_need_sign_in_and_refuse_other_roles(site: Site) -> None:
    c = site.client()
    r = c.get("/portal/submissions", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/portal/submissions"
    sign_in(c, "firm01")
    home = c.get("/").text
    for path in FIRM_PAGES:
        assert f'href="{path}"' in home and c.get(path).status_code == 200, path
    for path in ANALYST_PAGES:  # not shown, and refused on the server
        assert f'href="{path}"' not in home
        assert c.get(path).status_code == 403, path
    a = site.client()
    sign_in(a, "analyst2")  # an analyst without clearance: no findings
    home = a.get("/").text
    assert 'href="/console/screen"' in home and 'href="/console/findings"' not in home
    assert a.get("/console/findings").status_code == 403
    assert a.get("/portal/suppliers").status_code == 403
    admin = site.client()
    sign_in(admin, "admin")  # manages accounts, reads no data
    assert all(admin.get(p).status_code == 403 for p in FIRM_PAGES[:3] + ANALYST_PAGES)


def test_forms_need_the_csrf_token_and_sessions_end_on_sign_out(site: Site) -> None:
    c = site.client()
    assert form_post(c, "/login", data={"username": "firm01", "password": "x"}).status_code == 403
    sign_in(c, "firm01")
    before = c.get("/portal/submissions").text
    r = form_post(c, "/portal/suppliers", data={"supplier_name-1": "X", "csrf_token": "forged"})
    assert r.status_code == 403
    assert c.get("/portal/submissions").text.count("<tr>") == before.count("<tr>")
    r = form_post(c, "/logout", data={"csrf_token": csrf_of(before)}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/portal/submissions", follow_redirects=False).status_code == 303


def test_cookies_are_http_only_same_site_and_secure_over_tls(site: Site) -> None:
    c = site.client(https=True)
    page = c.get("/login")
    r = form_post(c, "/login", data={"username": "firm02", "password": "econsec-demo-password",
                               "csrf_token": csrf_of(page.text), "next": "/"},
               follow_redirects=False)  # fmt: skip
    cookie = next(v for k, v in r.headers.multi_items()
                  if k == "set-cookie" and v.startswith("econsec_session="))  # fmt: skip
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    plain = site.client().get("/login")
    assert "Secure" not in plain.headers["set-cookie"] and "HttpOnly" in plain.headers["set-cookie"]
    csp = plain.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "http" not in csp


def test_firm_names_are_escaped_and_form_errors_name_row_and_field(site: Site) -> None:
    c = site.client()
    sign_in(c, "firm03")
    token = csrf_of(c.get("/portal/suppliers").text)
    evil = '<script>alert("x")</script> Metals'
    row = {"supplier_name-1": evil, "country-1": "CHN", "product-1": "811292", "tier-1": "1",
           "input_share-1": "0.4", "single_source-1": "true", "inventory_days-1": "30",
           "supplier_name-2": "Second Co", "country-2": "Atlantis", "product-2": "81129",
           "tier-2": "1", "input_share-2": "2", "single_source-2": "false",
           "inventory_days-2": "10", "csrf_token": token}  # fmt: skip
    r = form_post(c, "/portal/suppliers", data=row)
    assert r.status_code == 422
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text  # kept, escaped
    problems = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td>", r.text)
    assert set(problems) == {("2", "country"), ("2", "product"), ("2", "input_share")}
    assert r.text.count('aria-invalid="true"') == 3
    row.update({"country-2": "KOR", "product-2": "811292", "input_share-2": "0.2"})
    r = form_post(c, "/portal/suppliers", data=row)
    assert r.status_code == 200 and "2 suppliers submitted" in r.text
    exposure = c.get("/portal/exposure").text
    assert "CHN" in exposure and "KOR" in exposure and "Data:" in exposure


def test_language_from_browser_then_user_setting_with_local_formats(site: Site) -> None:
    c = site.client()
    page = c.get("/login", headers={"accept-language": "ja,en;q=0.5"})
    assert '<html lang="ja">' in page.text and "ログイン" in page.text
    sign_in(c, "firm04")
    form_post(c, "/language", data={"locale": "ja", "next": "/portal/submissions",
                              "csrf_token": csrf_of(c.get("/").text)})  # fmt: skip
    page = c.get("/portal/submissions", headers={"accept-language": "en"})
    assert '<html lang="ja">' in page.text and "取り下げ" in page.text  # the setting wins
    assert re.search(r"\d{4}/\d{2}/\d{2}", page.text)  # Japanese date format
    form_post(c, "/language", data={"locale": "en", "next": "/",
                              "csrf_token": csrf_of(page.text)})  # fmt: skip
    assert "Withdraw" in c.get("/portal/submissions").text


def test_every_message_has_a_japanese_translation() -> None:
    from importlib import resources

    templates = str(resources.files("econsec.web").joinpath("templates"))
    used = {msg for _, _, msg, *_ in extract_from_dir(
        templates, method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}})}  # fmt: skip
    dynamic = (
        {p.label for p in navigation()}
        | {label for _, label in COLUMNS}
        | set(METRIC_LABELS.values())
        | set(RULE_LABELS.values())
    )
    dynamic |= {f.name for f in KINDS["suppliers"].fields} | set(KINDS) | {"current", "withdrawn"}
    dynamic |= {"open", "closed"} | set(TITLES.values())
    ja = i18n.translations("ja")
    missing = sorted(m for m in used | dynamic if isinstance(m, str) and ja.gettext(m) == m
                     and m not in ("HHI",))  # fmt: skip
    assert not missing and len(used) > 100


def test_screen_sorts_and_filters_and_charts_name_their_data(site: Site) -> None:
    c = site.client()
    sign_in(c, "analyst")
    r = c.get("/console/screen?importer=JPN&year=2024&flagged=1&sort=hhi&desc=1")
    assert r.status_code == 200 and 'aria-sort="descending"' in r.text
    hhis = [float(x) for x in re.findall(r'<td class="num">(0\.\d{3})</td>', r.text)]
    assert hhis == sorted(hhis, reverse=True) and hhis
    assert r.text.count('class="chart"') == 2 and "Method:" in r.text
    assert "/assets/plotly.min.js" in r.text and "cdn" not in r.text.lower()
    bad = c.get("/console/screen?importer=Atlantis")
    assert bad.status_code == 422 and "Atlantis" in bad.text
    assert c.get("/assets/plotly.min.js").status_code == 200


def test_a_firm_withdraws_its_submission_and_not_another_firms(site: Site) -> None:
    c = site.client()
    sign_in(c, "firm06")
    page = c.get("/portal/submissions").text
    ids = re.findall(r'action="/portal/submissions/([0-9a-f-]+)/withdraw[?"]', page)
    assert len(ids) == 1
    other = site.client()
    sign_in(other, "firm07")
    token = csrf_of(other.get("/portal/submissions").text)
    r = form_post(other, f"/portal/submissions/{ids[0]}/withdraw", data={"csrf_token": token})
    assert r.status_code == 404  # another firm's submission looks like a missing one
    r = form_post(c, f"/portal/submissions/{ids[0]}/withdraw", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 200
    assert "withdrawn" in r.text and "/withdraw" not in r.text


def test_survey_in_the_browser_pages_from_definition_to_results(site: Site) -> None:
    gov = site.client()
    sign_in(gov, "analyst2")
    page = gov.get("/console/surveys").text
    assert 'name="q-0-text"' in page and "How likely is economic coercion" in page  # an example
    token = csrf_of(page)
    # a choice question with one option: named by question number and field, nothing stored
    r = form_post(gov, "/console/surveys", data={
        "title": "Outlook", "audience": "all_firms", "action": "send", "csrf_token": token,
        "q-0-text": "Plan?", "q-0-type": "single", "q-0-options": "yes"})  # fmt: skip
    assert r.status_code == 422 and "Nothing was stored" in r.text
    assert "question 1, options" in r.text and "expected 2 to 30 distinct texts" in r.text
    fields = {"title": "Outlook <b>2027</b>", "audience": "all_firms", "csrf_token": token,
              "q-0-id": "risk", "q-0-text": "Risk?", "q-0-text_ja": "リスクは？",
              "q-0-type": "likert", "q-0-scale": "5"}  # fmt: skip
    added = form_post(gov, "/console/surveys", data=fields | {"action": "add"})
    assert added.status_code == 200 and 'name="q-1-text"' in added.text  # one more block
    preview = form_post(gov, "/console/surveys", data=fields | {"action": "preview"})
    assert "Preview: as firms will see it" in preview.text
    assert (
        "<legend>Risk?</legend>" in preview.text and "<legend>リスクは？</legend>" in preview.text
    )
    r = form_post(gov, "/console/surveys", data=fields | {"action": "send"})
    assert r.status_code == 200 and "Outlook &lt;b&gt;2027&lt;/b&gt;" in r.text
    survey_id = re.findall(r'action="/console/surveys/([0-9a-f-]+)/close[?"]', r.text)[0]
    for n in range(8, 13):  # five firms answer through the portal
        firm = site.client()
        sign_in(firm, f"firm{n:02d}")
        form = firm.get(f"/portal/surveys/{survey_id}", headers={"Accept-Language": "ja"}).text
        assert "<legend>リスクは？</legend>" in form or "<legend>Risk?</legend>" in form
        bad = form_post(firm, f"/portal/surveys/{survey_id}", data={"q-risk": "9",
                                                               "csrf_token": csrf_of(form)})  # fmt: skip
        assert "expected a whole number from 1 to 5" in bad.text
        ok = form_post(firm, f"/portal/surveys/{survey_id}", data={"q-risk": str(n % 5 + 1),
                                                              "csrf_token": csrf_of(form)})  # fmt: skip
        assert "your answers are stored" in ok.text
    r = form_post(gov, f"/console/surveys/{survey_id}/close", data={"csrf_token": csrf_of(r.text)})
    assert "Weighted mean" in r.text and "Coverage of the audience" in r.text
    assert "Weighted mean" in firm.get(f"/portal/surveys/{survey_id}").text  # answered
    outsider = site.client()
    sign_in(outsider, "firm01")
    assert "Weighted mean" not in outsider.get(f"/portal/surveys/{survey_id}").text
