"""The map's search: forgiving of accents, case and small typos, answered by PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata import search
from geodata.models import SearchWord, WaterSystem
from geodata.spatial import point


def first(session: Session, query: str) -> dict:
    found = search.search(session, query).items
    assert found, f"nothing found for {query!r}"
    return found[0]


def codes(session: Session, query: str) -> list[str]:
    return [i.get("code") for i in search.search(session, query).items if i["kind"] == "system"]


def test_community_names_regardless_of_case_and_typos(session: Session) -> None:
    assert first(session, "CUSHMUN")["code"] == "SIASAR-160424"
    assert first(session, "cushmun")["code"] == "SIASAR-160424"
    assert first(session, "cusmun")["code"] == "SIASAR-160424"  # a letter missing
    assert first(session, "cushmnu")["code"] == "SIASAR-160424"  # two swapped
    assert first(session, "cushm")["code"] == "SIASAR-160424"  # still typing


def test_accents_on_either_side(session: Session) -> None:
    district = first(session, "razuri")
    assert (district["kind"], district["name"]) == ("district", "Rázuri")
    assert first(session, "Rázuri")["name"] == "Rázuri"
    province = first(session, "sanchez carrion")
    assert (province["kind"], province["name"]) == ("province", "Sánchez Carrión")
    assert len(province["bbox"]) == 4
    assert "SIASAR-160424" in codes(session, "Cúshmún")


def test_an_accented_community_typed_without_accents(session: Session) -> None:
    district_id = session.scalar(select(WaterSystem.district_id).limit(1))
    session.add(
        WaterSystem(
            code="TEST-ÑAHUIN",
            name="Sistema de Ñahuín",
            communities=["Cañón de Quíspe"],
            district_id=district_id,
            geom=point(-78.5, -7.9),
        )
    )
    session.flush()
    found = first(session, "canon de quispe")
    assert (found["code"], found["community"]) == ("TEST-ÑAHUIN", "Cañón de Quíspe")
    assert first(session, "nahuin")["code"] == "TEST-ÑAHUIN"
    # the trigger put the new words into the vocabulary that corrects typos
    assert session.scalar(select(func.count()).where(SearchWord.word == "quispe")) == 1


def test_codes_and_numbers(session: Session) -> None:
    assert first(session, "SIASAR-160421")["code"] == "SIASAR-160421"
    assert first(session, "siasar 160421")["code"] == "SIASAR-160421"
    assert first(session, "160421")["code"] == "SIASAR-160421"


def test_places_districts_and_systems_together(session: Session) -> None:
    kinds = {i["kind"] for i in search.search(session, "huamachuco", 25).items}
    assert {"district", "place"} <= kinds
    capital = next(i for i in search.search(session, "bolivar").items if i["kind"] == "place")
    assert capital["name"] == "Bolívar" and capital["lon"] < -77


def test_results_say_the_status_and_nothing_private(session: Session) -> None:
    item = first(session, "cushmun")
    assert set(item) == {
        "kind",
        "code",
        "name",
        "community",
        "district",
        "status",
        "alert",
        "lon",
        "lat",
        "score",
    }


def test_nothing_found_and_too_common(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    assert search.search(session, "xqzwyv").items == []
    assert search.search(session, "   ").items == []
    assert search.search(session, "sistema").more is False  # 371 systems: all ranked
    monkeypatch.setattr(search, "RANKED_AT_MOST", 5)
    found = search.search(session, "sistema")
    assert found.more and len(found.items) == 5


def test_the_api(client: TestClient) -> None:
    found = client.get("/api/v1/search", params={"q": "cusmun"})
    assert found.status_code == 200
    body = found.json()
    assert body["items"][0]["code"] == "SIASAR-160424" and body["more"] is False
    for bad in ({"q": "a"}, {}, {"q": "x" * 101}, {"q": "cushmun", "limit": 0}):
        refused = client.get("/api/v1/search", params=bad)
        assert refused.status_code == 400
        assert refused.json()["error"]["message"] == "Faltan datos o algunos no son válidos."


def test_python_folds_queries_as_the_database_folds_the_data(session: Session) -> None:
    from sqlalchemy import literal

    from geodata.models import AdminArea

    samples = [
        "Cañón de Quíspe",
        "SÁNCHEZ CARRIÓN",
        "Ñahuín Güeñe",
        "q'ero Ayllu",
        "Straße Æsir Œuvre Øre Łódź Đakovo",
        "Pampa-Alta_2 (sector 3)",
    ]
    samples += list(session.scalars(select(AdminArea.name)))
    samples += [c for cs in session.scalars(select(WaterSystem.communities).limit(400)) for c in cs]
    database = session.execute(select(*[func.yaku_fold(literal(s)) for s in samples[:500]])).one()
    assert [search.fold(s) for s in samples[:500]] == list(database)
    assert search.query_words("  Pampa-Alta_2 (SECTOR 3) ") == ["pampa", "alta", "2", "sector", "3"]


def test_a_renamed_system_is_found_by_its_new_name(session: Session) -> None:
    from sqlalchemy import update

    session.execute(
        update(WaterSystem)
        .where(WaterSystem.code == "SIASAR-160424")
        .values(name="Sistema de Pachacútec Nuevo")
    )
    session.flush()
    assert first(session, "pachacutek")["code"] == "SIASAR-160424"  # a typo of a new word
