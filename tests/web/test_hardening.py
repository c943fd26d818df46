"""Nothing parsed before it is allowed: the caller and the CSRF token are checked before a
form's body is read; bodies are limited while they stream in; YAML without aliases; JSON
depth bounded; error messages short. Every answer 4xx, never 5xx."""

from __future__ import annotations

import json

from web.conftest import Site, csrf_of, form_post, sign_in

BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
)


def test_forged_forms_are_refused_before_their_body_is_read(site: Site) -> None:
    c = site.client()
    sign_in(c, "firm05")
    garbage = {"content": b"--x\r\nnot a multipart body at all",
               "headers": {"content-type": "multipart/form-data; boundary=x"}}  # fmt: skip
    # a forged token: 403, though the body could not even be parsed (it never was)
    r = c.post("/portal/suppliers/upload", params={"csrf_token": "forged"}, **garbage)
    assert r.status_code == 403
    # the token only in the body, as before: refused too (the body is not read for it)
    page = c.get("/portal/suppliers").text
    r = c.post("/portal/suppliers", data={"csrf_token": csrf_of(page), "supplier_name-1": "X"})
    assert r.status_code == 403
    # signed out: sent to sign in before anything is read
    anonymous = site.client()
    r = anonymous.post("/portal/suppliers/upload", params={"csrf_token": csrf_of(page)},
                       follow_redirects=False, **garbage)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_bodies_over_the_limit_are_refused(site: Site) -> None:
    c = site.client()
    sign_in(c, "firm05")
    limit = site.app.state.platform.settings.max_upload_bytes
    token = csrf_of(c.get("/portal/suppliers").text)
    big = b"a" * (limit + 100_000)
    r = c.post("/portal/suppliers/upload", params={"csrf_token": token}, content=big,
               headers={"content-type": "multipart/form-data; boundary=x"})  # fmt: skip
    assert r.status_code == 413 and "larger than the limit" in r.text
    r = c.post(
        "/api/v1/submissions/suppliers", content=big, headers={"content-type": "application/json"}
    )
    assert r.status_code in (401, 413)  # not signed in to the API: never read either way


def test_yaml_aliases_are_refused_on_the_scenario_page(site: Site) -> None:
    c = site.client()
    sign_in(c, "analyst")
    token = csrf_of(c.get("/console/scenarios").text)
    r = form_post(c, "/console/scenarios", {"scenario": BOMB, "csrf_token": token})
    assert r.status_code == 422 and "anchors and aliases" in r.text
    assert len(r.content) < 100_000  # the page, not the expanded document


def test_deep_json_and_long_values_get_short_4xx_answers(site: Site) -> None:
    c = site.client()
    token = c.post("/api/v1/auth/token", data={"username": "analyst",
                   "password": "econsec-demo-password"}).json()["access_token"]  # fmt: skip
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    deep = b"[" * 50_000 + b"]" * 50_000
    for path in ("/api/v1/releases", "/api/v1/incidents", "/api/v1/surveys"):
        r = c.post(path, content=deep, headers=headers)
        assert r.status_code == 422 and "nested deeper" in r.text, (path, r.status_code)
    long_title = [{"title": "x" * 100_000, "implementing": "CHN", "family": "goods",
                   "pretext": "none", "implemented": "2020-01-01", "flow": "sideways"}]  # fmt: skip
    r = c.post("/api/v1/incidents", content=json.dumps(long_title), headers=headers)
    assert r.status_code == 422 and len(r.content) < 5_000


def test_the_csrf_token_is_bound_to_the_session_and_renewed_at_sign_in(site: Site) -> None:
    a = site.client()
    before = csrf_of(a.get("/login").text)  # signed out
    sign_in(a, "firm06")
    after = csrf_of(a.get("/portal/submissions").text)
    assert after != before
    r = form_post(a, "/language", {"locale": "en", "next": "/", "csrf_token": before},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 403  # the token from before signing in no longer works
    b = site.client()
    sign_in(b, "firm07")
    b.cookies.set("econsec_csrf", a.cookies.get("econsec_csrf"))  # even with a's CSRF cookie
    r = form_post(b, "/language", {"locale": "en", "next": "/", "csrf_token": after},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 403  # a's token is a's session's only
    r = form_post(a, "/language", {"locale": "en", "next": "/", "csrf_token": after},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
