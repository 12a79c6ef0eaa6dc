"""The clinician's JSON API (contract 5): worklist, plan, sign, addenda, audit; both stores."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import make_host
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import Flask

from ankle_intake.api.schemas import AuditEntrySchema, RecordSchema, WorklistPageSchema
from ankle_intake.extension import state
from ankle_intake.store import assessments
from ankle_intake.store.decisions import AuditFailed

URL = "/ankle/api/assessments"
ANA = {"id": "u-17", "name": "Ana Silva"}
BEN = {"id": "u-42", "name": "Ben Okafor"}
#: Night pain is a red flag: the suggestion is see_clinician.
RED_FLAG = {"warning_signs": ["night_pain"]}


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    return any_database_url


@pytest.fixture
def who() -> dict[str, Any]:
    """Whom the host's ANKLE_INTAKE_CURRENT_USER names; a test may swap or clear it."""
    return {"user": ANA}


@pytest.fixture
def app(tmp_path: Path, database_url: str | None, who: dict[str, Any]) -> Iterator[Flask]:
    host = make_host(tmp_path / "host", database_url=database_url,
                     ANKLE_INTAKE_CURRENT_USER=lambda: who["user"])
    storage = state(host).storage
    if database_url:
        storage.drop_tables()
    yield host
    if database_url:
        storage.drop_tables()
    storage.dispose()


@pytest.fixture
def post(client, valid) -> Callable[..., dict[str, Any]]:
    def store(**changes: Any) -> dict[str, Any]:
        response = client.post(URL, json={**valid, **changes})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return store


def plan(level: str = "caution", **changes: Any) -> dict[str, Any]:
    return {"triage_level": level, "override_reason": None,
            "exercises": [{"id": "calf_raises", "sets": 3, "reps": 12, "hold_seconds": None,
                           "times": 1, "per": "day"}],
            "patient_note": "Walk, don't run, until we meet.", "record_note": "",
            "review_date": "2026-04-01", **changes}


def test_the_whole_journey(client, post, who) -> None:
    record = post(**RED_FLAG, patient_ref="P-9")
    one = f"{URL}/{record['id']}"
    assert (record["status"], record["version"], record["plan"]) == ("draft", 1, None)
    assert record["created_by"] == ANA["id"]

    lowered = plan("caution", override_reason="Night pain explained by a new mattress.")
    saved = client.put(f"{one}/plan", json=lowered)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["plan"]["override_reason"].startswith("Night pain")
    assert saved.get_json()["status"] == "draft"

    signed = client.post(f"{one}/sign")
    assert signed.status_code == 200, signed.get_json()
    body = signed.get_json()
    assert (body["status"], body["version"], body["signed_by"]) == ("signed", 1, ANA)
    assert body["signed_at"]
    assert client.post(f"{one}/sign").status_code == 409
    refused = client.put(f"{one}/plan", json=lowered)
    assert refused.status_code == 409 and refused.get_json()["errors"]

    who["user"] = BEN
    amended = client.post(f"{one}/addenda", json={
        "reason": "Seen again: pain settled.", "plan": plan("see_clinician")})
    assert amended.status_code == 201, amended.get_json()
    assert amended.headers["Location"] == one
    current = client.get(one).get_json()
    assert current == amended.get_json()
    assert current["version"] == 2 and current["plan"]["triage_level"] == "see_clinician"
    assert current["signed_by"] == ANA  # who signed version 1
    [addendum] = current["addenda"]
    assert (addendum["version"], addendum["reason"], addendum["signed_by"]) == (
        2, "Seen again: pain settled.", BEN)
    RecordSchema().load(current)

    trail = client.get(f"{one}/audit")
    assert trail.status_code == 200
    rows = trail.get_json()
    AuditEntrySchema(many=True).load(rows)
    changes = [(r["action"], r["user"], r["version"]) for r in rows if r["action"] != "view"]
    assert changes == [("create", ANA["id"], 1), ("plan", ANA["id"], 1), ("sign", ANA["id"], 1),
                       ("amend", BEN["id"], 2)]
    assert [r["action"] for r in rows].count("view") == 1  # the GET above
    assert "Ana Silva" not in trail.get_data(as_text=True)


def test_signing_needs_a_current_user(client, post, who) -> None:
    record = post()
    who["user"] = None
    response = client.post(f"{URL}/{record['id']}/sign")
    assert response.status_code == 403
    assert "ANKLE_INTAKE_CURRENT_USER" in response.get_json()["errors"]["_request"][0]
    assert client.get(f"{URL}/{record['id']}").get_json()["status"] == "draft"
    addendum = client.post(f"{URL}/{record['id']}/addenda",
                           json={"reason": "x", "plan": plan()})
    assert addendum.status_code == 403


def test_a_host_without_the_hook_cannot_sign(make_app, valid) -> None:
    client = make_app().test_client()
    record = client.post(URL, json=valid).get_json()
    assert client.post(f"{URL}/{record['id']}/sign").status_code == 403


def test_a_lower_level_under_a_red_flag_needs_a_reason(client, post) -> None:
    record = post(**RED_FLAG)
    response = client.put(f"{URL}/{record['id']}/plan", json=plan("continue"))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["override_reason"]
    assert client.get(f"{URL}/{record['id']}").get_json()["plan"] is None


@pytest.mark.parametrize(("body", "field"), [
    (plan(exercises=[{"id": "calf_raises", "sets": 0, "reps": 10, "hold_seconds": None,
                      "times": None, "per": None}]), "exercises.0.sets"),
    (plan(exercises=[{"id": "moonwalk", "sets": 1, "reps": 10, "hold_seconds": None,
                      "times": None, "per": None}]), "exercises.0.id"),
    (plan(triage_level="fine"), "triage_level"),
    (plan(shoe="red"), "shoe"),
    ([1, 2], "_body"),
])
def test_a_refused_plan_is_422_naming_the_field(client, post, body, field) -> None:
    record = post()
    response = client.put(f"{URL}/{record['id']}/plan", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_addenda_refuse_a_draft_and_name_their_fields(client, post) -> None:
    record = post()
    one = f"{URL}/{record['id']}"
    assert client.post(f"{one}/addenda", json={"reason": "x", "plan": plan()}
                       ).status_code == 409
    assert client.post(f"{one}/sign").status_code == 200
    response = client.post(f"{one}/addenda", json={"reason": " ", "plan": plan(
        triage_level="fine")})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"reason", "plan.triage_level"}
    assert client.get(one).get_json()["version"] == 1


@pytest.mark.parametrize("path", ["plan", "sign", "addenda", "audit"])
@pytest.mark.parametrize("record_id", [str(uuid.uuid4()), "not-a-uuid", "x" * 300])
def test_unknown_or_malformed_ids_are_404(client, path, record_id) -> None:
    method = {"plan": client.put, "sign": client.post, "addenda": client.post,
              "audit": client.get}[path]
    kwargs = {"json": plan()} if path == "plan" else {}
    if path == "addenda":
        kwargs = {"json": {"reason": "x", "plan": plan()}}
    response = method(f"{URL}/{record_id}/{path}", **kwargs)
    assert response.status_code == 404, response.get_json()
    assert response.is_json and response.get_json()["errors"]


def test_addenda_replay_with_the_same_key_adds_nothing(client, post, who) -> None:
    record = post()
    one = f"{URL}/{record['id']}"
    client.post(f"{one}/sign")
    body = {"reason": "Review brought forward.", "plan": plan(review_date="2026-03-20")}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post(f"{one}/addenda", json=body, headers=key)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = client.post(f"{one}/addenda", data=json.dumps(body, indent=3),
                        content_type="application/json", headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() and again.get_json()["version"] == 2

    later = client.post(f"{one}/addenda", json={**body, "reason": "And again."},
                        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert later.get_json()["version"] == 3
    replay = client.post(f"{one}/addenda", json=body, headers=key)
    assert replay.get_json() == first.get_json()  # the record as that addendum left it

    reused = client.post(f"{one}/addenda", json={**body, "reason": "Other."}, headers=key)
    assert reused.status_code == 422 and "Idempotency-Key" in reused.get_json()["errors"]
    other = post()
    client.post(f"{URL}/{other['id']}/sign")
    elsewhere = client.post(f"{URL}/{other['id']}/addenda", json=body, headers=key)
    assert elsewhere.status_code == 422
    assert client.get(one).get_json()["version"] == 3
    amends = [r for r in client.get(f"{one}/audit").get_json() if r["action"] == "amend"]
    assert len(amends) == 2


def test_a_refused_addendum_frees_its_key(client, post) -> None:
    record = post()
    one = f"{URL}/{record['id']}"
    key = {"Idempotency-Key": "retry-me"}
    body = {"reason": "Too early.", "plan": plan()}
    assert client.post(f"{one}/addenda", json=body, headers=key).status_code == 409  # draft
    client.post(f"{one}/sign")
    done = client.post(f"{one}/addenda", json=body, headers=key)
    assert done.status_code == 201 and "Idempotent-Replayed" not in done.headers
    bad = client.post(f"{one}/addenda", json=body, headers={"Idempotency-Key": "a b"})
    assert bad.status_code == 400 and bad.get_json()["errors"]["Idempotency-Key"]


def _backdate(app: Flask, record_id: str, when: dt.datetime) -> None:
    with state(app).storage.engine.begin() as conn:
        conn.execute(assessments.update().where(assessments.c.id == record_id)
                     .values(created_at=when))


def test_the_worklist_filters_newest_first(app, client, post, who) -> None:
    day = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
    made = []
    for n in range(4):
        record = post(patient_ref="P-1" if n % 2 else "P-2")
        _backdate(app, record["id"], day + dt.timedelta(days=n))
        made.append(record["id"])
    who["user"] = BEN
    client.post(f"{URL}/{made[1]}/sign")

    def ids(**query: Any) -> list[str]:
        response = client.get(URL, query_string=query)
        assert response.status_code == 200, response.get_json()
        WorklistPageSchema().load(response.get_json())
        return [item["id"] for item in response.get_json()["items"]]

    assert ids() == made[::-1]
    assert ids(patient_ref="P-1") == [made[3], made[1]]
    assert ids(status="signed") == [made[1]] and ids(status="draft") == [made[3], made[2],
                                                                        made[0]]
    assert ids(clinician=BEN["id"]) == [made[1]]
    assert ids(clinician=ANA["id"]) == [made[3], made[2], made[0]]
    assert ids(since="2026-03-03", until="2026-03-04") == [made[2], made[1]]
    assert ids(until="2026-03-02") == [made[0]]
    assert ids(patient_ref="nobody") == []
    item = client.get(URL, query_string={"status": "signed"}).get_json()["items"][0]
    assert (item["status"], item["signed_by_name"], item["clinician"]) == (
        "signed", BEN["name"], BEN["id"])


def test_cursor_paging_has_no_duplicates_and_no_gaps(app, client, post) -> None:
    same_second = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
    made = []
    for n in range(11):
        record = post()
        # Ties on created_at are common (one-second clock): paging must order by id too.
        _backdate(app, record["id"], same_second + dt.timedelta(seconds=n // 3))
        made.append(record["id"])
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(URL, query_string=query).get_json()
        assert len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 4 and len(seen) == len(set(seen)) == 11 and set(seen) == set(made)
    created = [client.get(f"{URL}/{i}").get_json()["created_at"] for i in seen]
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize(("query", "named"), [
    ({"status": "final"}, "status"),
    ({"status": ""}, "status"),
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"limit": "-1"}, "limit"),
    ({"since": "2026-02-30"}, "since"),
    ({"until": "yesterday"}, "until"),
    ({"since": "2026-03-05", "until": "2026-03-01"}, "until"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": ""}, "cursor"),
    ({"patient_ref": "x" * 65}, "patient_ref"),
])
def test_a_bad_worklist_parameter_is_422_naming_it(client, query, named) -> None:
    response = client.get(URL, query_string=query)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [named]


def test_views_and_exports_are_audited_and_refused_if_not(app, client, post,
                                                          monkeypatch) -> None:
    record = post()
    one = f"{URL}/{record['id']}"
    assert client.get(one).status_code == 200
    assert client.get(f"{one}/fhir").status_code == 200
    assert client.get(f"/ankle/assessments/{record['id']}/note.txt").status_code == 200
    actions = [r["action"] for r in client.get(f"{one}/audit").get_json()]
    assert actions == ["create", "view", "export", "export"]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise AuditFailed("OperationalError")

    monkeypatch.setattr(state(app).storage, "log_event", broken)
    for path in (one, f"{one}/fhir"):
        refused = client.get(path)
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        assert refused.is_json and "answers" not in refused.get_json()
    note = client.get(f"/ankle/assessments/{record['id']}/note.txt")
    assert note.status_code == 503 and note.headers["Retry-After"]


def test_fhir_author_authored_and_status_follow_the_review(client, post, who) -> None:
    record = post()
    one = f"{URL}/{record['id']}"

    def fhir() -> dict[str, Any]:
        response = client.get(f"{one}/fhir")
        assert response.status_code == 200
        resource = json.loads(response.get_data(as_text=True))
        QuestionnaireResponse.model_validate(resource)
        return resource

    draft = fhir()
    assert (draft["status"], draft["authored"]) == ("in-progress", record["created_at"])
    assert draft["author"] == {"type": "Practitioner", "identifier": {"value": ANA["id"]}}
    signed = client.post(f"{one}/sign").get_json()
    done = fhir()
    assert (done["status"], done["authored"]) == ("completed", signed["signed_at"])
    assert done["author"] == {"type": "Practitioner", "identifier": {"value": ANA["id"]},
                              "display": ANA["name"]}
    who["user"] = BEN
    amended = client.post(f"{one}/addenda", json={"reason": "Better.", "plan": plan()}
                          ).get_json()
    later = fhir()
    assert (later["status"], later["authored"]) == ("amended",
                                                    amended["addenda"][-1]["signed_at"])
    assert later["author"]["display"] == BEN["name"]
    assert later["author"]["identifier"]["value"] == BEN["id"]


def test_the_note_prints_the_signed_plan_of_each_version(client, post, who) -> None:
    record = post()
    one = f"{URL}/{record['id']}"
    note_url = f"/ankle/assessments/{record['id']}/note.txt"
    draft = client.get(note_url).get_data(as_text=True)
    assert "draft" in draft.lower()
    client.put(f"{one}/plan", json=plan(patient_note="First plan."))
    client.post(f"{one}/sign")
    who["user"] = BEN
    client.post(f"{one}/addenda", json={"reason": "Pain settled.", "plan": plan(
        "continue", patient_note="Second plan.")})
    first = client.get(note_url, query_string={"version": 1}).get_data(as_text=True)
    second = client.get(note_url).get_data(as_text=True)
    assert ANA["name"] in first and BEN["name"] not in first
    assert BEN["name"] in second and "Pain settled." in second
    assert first != second
    assert client.get(note_url, query_string={"version": 3}).status_code == 404
    assert client.get(note_url, query_string={"version": "one"}).status_code == 404
    exports = [r for r in client.get(f"{one}/audit").get_json() if r["action"] == "export"]
    assert [r["version"] for r in exports] == [1, 1, 2]


def test_the_audit_outlives_an_erase_and_holds_no_patient_data(app, client, post) -> None:
    record = post(patient_name="Zoë Audit-Test", patient_ref="MRN-4411")
    one = f"{URL}/{record['id']}"
    client.post(f"{one}/sign")
    assert state(app).storage.delete(record["id"], "u-admin")
    assert client.get(one).status_code == 404
    trail = client.get(f"{one}/audit")
    assert trail.status_code == 200
    assert [r["action"] for r in trail.get_json()] == ["create", "sign", "erase"]
    assert trail.get_json()[-1]["user"] == "u-admin"
    text = trail.get_data(as_text=True)
    assert "Zoë" not in text and "MRN-4411" not in text and "Ana Silva" not in text
    with state(app).storage.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT * FROM ankle_intake_audit")).all()
    assert stored and "Zoë" not in repr(stored) and "MRN-4411" not in repr(stored)


def test_an_addendum_key_is_written_with_its_version(app, client, post) -> None:
    """The key rides in the addendum's own transaction: no half-made state to be stuck in."""
    from ankle_intake.api import idempotency

    record = post()
    one = f"{URL}/{record['id']}"
    client.post(f"{one}/sign")
    body = {"reason": "Seen again.", "plan": plan()}
    assert client.post(f"{one}/addenda", json=body,
                       headers={"Idempotency-Key": "k-1"}).status_code == 201
    with app.test_request_context():
        found = state(app).storage.find_claim(
            idempotency.addendum_claim("k-1", record["id"], body).key)
    assert found is not None and found.fingerprint.endswith(":v2")
    assert found.record_id == record["id"]
    # The same key string on a create is its own namespace.
    assert client.post(URL, json={"side": "left", "onset": "sudden", "pain_locations": ["heel"],
                                  "pain_now": 1}, headers={"Idempotency-Key": "k-1"}
                       ).status_code == 201
    assert state(app).storage.delete(record["id"])  # its keys go with it
    with app.test_request_context():
        assert state(app).storage.find_claim(
            idempotency.addendum_claim("k-1", record["id"], body).key) is None


def test_racing_retries_of_one_addendum_make_one_version(app, client, post) -> None:
    from concurrent.futures import ThreadPoolExecutor

    record = post()
    one = f"{URL}/{record['id']}"
    client.post(f"{one}/sign")
    body = {"reason": "Sent twice at once.", "plan": plan()}

    def send(_: int) -> tuple[int, str | None]:
        response = app.test_client().post(f"{one}/addenda", json=body,
                                          headers={"Idempotency-Key": "race-1"})
        return response.status_code, response.headers.get("Idempotent-Replayed")

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    assert answers.count((201, None)) == 1, answers
    assert all(a in ((201, None), (201, "true")) for a in answers), answers
    assert client.get(one).get_json()["version"] == 2
