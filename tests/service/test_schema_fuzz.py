"""Schemathesis against the OpenAPI document: no request the schema allows (or nearly allows)
makes the server fail, signed in as a firm, on SQLite. (The schemathesis pytest plugin does not
load under our pytest, so each operation's Hypothesis strategy is driven directly.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from econsec.server import create_app
from service_world import World, settings_for, supplier


def test_no_server_errors(tmp_path: Path) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path))
    with TestClient(app) as client:
        world = World(client, app.state.platform)
        firm = world.firm("Fuzzed")
        client.post("/api/v1/submissions/suppliers", json=[supplier()], headers=firm)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = sorted(  # signing out ends the session: last
            (result.ok() for result in schema.get_all_operations()),
            key=lambda op: op.path.endswith("/logout"),
        )
        assert len(operations) >= 18
        calls: list[int] = []
        for operation in operations:

            @given(operation.as_strategy())
            @settings(
                max_examples=20,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def call(case: Any) -> None:
                response = case.call(headers=firm)
                calls.append(response.status_code)
                assert response.status_code < 500, (case.method, case.path, response.text)

            call()
        assert len(calls) >= 10 * len(operations)
        assert {200, 404, 422} <= set(calls)  # reached the code behind each answer
    app.state.platform.dispose()


def test_the_document_declares_bearer_sign_in_for_clients(tmp_path: Path) -> None:
    # A generated client (or Swagger UI's "Authorize") needs the scheme in the document and on
    # every protected operation; the document itself passes the OpenAPI validator.
    from openapi_spec_validator import validate

    app = create_app(settings_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path))
    doc = app.openapi()
    validate(doc)
    scheme = doc["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operations = {(path, method): op for path, item in doc["paths"].items()
                  for method, op in item.items() if method in ("get", "post", "put", "delete")}  # fmt: skip
    unprotected = {k for k, op in operations.items() if op.get("security") != [{"bearer": []}]}
    assert unprotected == {("/api/v1/auth/token", "post")}
    with TestClient(app) as client:
        assert client.get("/api/v1/alerts").status_code == 401  # declared, and enforced
    app.state.platform.dispose()


def test_every_error_answer_is_documented_with_its_real_model(tmp_path: Path) -> None:
    # A client generated from the document must be able to read the errors: 401/403/404/413/
    # 415/422/429 are documented on every API operation with the one error model, the TAXII
    # routes with TAXII media types, and a real 422 and 405 answer match what is documented.
    import jsonschema

    app = create_app(settings_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path))
    doc = app.openapi()
    api = {(p, m): op for p, item in doc["paths"].items() for m, op in item.items()
           if p.startswith("/api/")}  # fmt: skip
    for (path, _method), op in api.items():
        assert {"401", "403", "404", "413", "415", "422", "429"} <= set(op["responses"]), path
    model = doc["components"]["schemas"]["ErrorBody"]
    taxii = doc["paths"]["/taxii2/api/collections/{collection_id}/objects/"]["get"]["responses"]
    assert list(taxii["200"]["content"]) == ["application/taxii+json;version=2.1"]
    assert list(taxii["404"]["content"]) == ["application/taxii+json;version=2.1"]
    with TestClient(app) as client:
        world = World(client, app.state.platform)
        firm = world.firm("Documented")
        bad = client.post("/api/v1/submissions/suppliers", json=[{"country": "Atlantis"}],
                          headers=firm)  # fmt: skip
        assert bad.status_code == 422
        resolver = {"components": doc["components"], **model}
        jsonschema.validate(bad.json(), resolver)
        options = client.options("/api/v1/surveys", headers=firm)
        assert options.status_code == 405 and options.headers["allow"] == "GET, POST"
        jsonschema.validate(options.json(), resolver)
    app.state.platform.dispose()
