from fastapi.testclient import TestClient


def test_health_reports_database_postgis_redis_and_workers(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["database"]["postgis"].startswith("3.")
    assert body["redis"]["ok"] is True
    assert isinstance(body["worker"]["workers"], list)
    assert body["status"] in {"ok", "degraded"}
    assert (body["status"] == "ok") == bool(body["worker"]["workers"])


def test_health_says_down_when_redis_is_unreachable(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from geodata.settings import get_settings

    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:1/0")
    body = client.get("/health").json()
    assert body["redis"]["ok"] is False
    assert body["worker"]["ok"] is False
    assert body["status"] == "down"


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Yaku API"
    assert "/health" in spec["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_unknown_route_is_a_translated_json_404(client: TestClient) -> None:
    response = client.get("/nope", headers={"Accept-Language": "es-PE,es;q=0.9"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No encontrado."
    assert client.get("/nope?lang=en").json()["error"]["message"] == "Not found."
