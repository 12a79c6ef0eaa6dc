"""The review page: the plan form's round trip, its refusals, signing, amending, the view audit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from ankle_intake.extension import state
from ankle_intake.store.decisions import AuditFailed

from handout_helpers import flat, pdf_text

USER = {"id": "physio-7", "name": "Sam Physio"}
HOSTILE = "Zoë <script>alert(1)</script>"
#: Nerve signs: a red flag, the suggestion "refer on", three exercises.
FLAGGED = {"side": "right", "onset": "sudden", "pain_locations": ["outer_ankle"], "pain_now": 4,
           "nerve_symptoms": ["tingling"], "patient_ref": "MRN-4411"}


@pytest.fixture
def host(make_app) -> Flask:
    return make_app(ANKLE_INTAKE_CURRENT_USER=lambda: USER)


@pytest.fixture
def client(host: Flask) -> Any:
    return host.test_client()


def _store(client: Any, answers: dict[str, Any] = FLAGGED) -> str:
    created = client.post("/ankle/api/assessments", json=answers)
    assert created.status_code == 201
    return created.json["id"]


def _tag(html: str, element_id: str) -> str:
    match = re.search(rf'<[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert match, element_id
    return match.group(0)


def _form(**changes: str) -> dict[str, str]:
    """The plan form as the page posts it for FLAGGED, with ``changes``."""
    form = {"triage_level": "see_clinician", "override_reason": "",
            "ex-0-id": "ankle_alphabet", "ex-0-sets": "1", "ex-0-reps": "1",
            "ex-0-hold_seconds": "", "ex-0-times": "1", "ex-0-per": "day",
            "ex-1-id": "glute_bridges", "ex-1-sets": "2", "ex-1-reps": "10",
            "ex-1-hold_seconds": "", "ex-1-times": "2", "ex-1-per": "week",
            "ex-2-id": "clamshells", "ex-2-sets": "2", "ex-2-reps": "10",
            "ex-2-hold_seconds": "", "ex-2-times": "2", "ex-2-per": "week",
            "add": "", "patient_note": "", "record_note": "", "review_date": ""}
    form.update(changes)
    return form


def test_a_draft_opens_on_the_suggestion(client) -> None:
    record_id = _store(client)
    page = client.get(f"/ankle/assessments/{record_id}").get_data(as_text=True)
    assert "Draft: not signed" in page
    assert "checked" in _tag(page, "triage_level-3")  # refer on, the suggestion
    for n, exercise in enumerate(("ankle_alphabet", "glute_bridges", "clamshells")):
        assert f'name="ex-{n}-id" value="{exercise}"' in page
    assert 'value="2"' in _tag(page, "ex-1-sets") and 'value="10"' in _tag(page, "ex-1-reps")
    assert 'id="override_reason"' in page  # a red flag stands
    # The actions come before the plan form and everything patient-facing.
    assert page.index('id="ai-save-top"') < page.index('id="plan-form"')
    assert page.index('id="ai-sign-top"') < page.index('id="findings-title"')
    assert 'form="plan-form"' in _tag(page, "ai-save-top")
    assert f'formaction="/ankle/assessments/{record_id}/sign"' in _tag(page, "ai-sign-top")
    assert 'href="/ankle/assessments"' in page  # the worklist


def test_a_saved_plan_round_trips_and_stays_a_draft(client, host) -> None:
    record_id = _store(client)
    form = _form(triage_level="caution", override_reason="Nerve signs mild; GP letter sent",
                 **{"ex-2-remove": "1", "add": "single_leg_balance", "ex-1-sets": "3",
                    "patient_note": HOSTILE, "record_note": "Seen with mother",
                    "review_date": "2027-01-15"})
    saved = client.post(f"/ankle/assessments/{record_id}/plan", data=form)
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/ankle/assessments/{record_id}?done=saved"
    record = state(host).storage.get(record_id)
    assert record["status"] == "draft"
    plan = record["plan"]
    assert plan["triage_level"] == "caution"
    assert plan["override_reason"] == "Nerve signs mild; GP letter sent"
    assert [e["id"] for e in plan["exercises"]] == ["ankle_alphabet", "glute_bridges",
                                                  "single_leg_balance"]
    assert plan["exercises"][1]["sets"] == 3
    assert plan["exercises"][2]["times"] == 1  # the library's usual dose
    assert plan["review_date"] == "2027-01-15"
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Draft saved." in page
    assert "checked" in _tag(page, "triage_level-1")
    assert 'name="ex-2-id" value="single_leg_balance"' in page
    assert 'value="2027-01-15"' in _tag(page, "review_date")
    assert "<script>alert(1)" not in page
    assert "Zoë &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in page


def test_a_bad_dose_is_refused_beside_its_field(client, host) -> None:
    record_id = _store(client)
    form = _form(**{"ex-0-remove": "1", "ex-2-sets": "lots", "patient_note": "kept"})
    refused = client.post(f"/ankle/assessments/{record_id}/plan", data=form)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert state(host).storage.get(record_id)["plan"] is None
    control = _tag(page, "ex-2-sets")
    assert 'aria-invalid="true"' in control and "ex-2-sets-error" in control
    assert 'value="lots"' in control
    assert "Clamshells: Sets must be a whole number from 1 to 10." in page
    summary = page[page.index('id="ai-error-summary"'):page.index('id="plan-form"')]
    assert 'href="#ex-2-sets"' in summary  # the row's own input, though row 0 is removed
    assert "checked" in _tag(page, "ex-0-remove") and ">kept</textarea>" in page
    assert "<title>Error: " in page


@pytest.mark.parametrize(("changes", "key", "words"), [
    ({"triage_level": "continue"}, "override_reason", "A red flag stands"),
    ({"review_date": "2027-02-30"}, "review_date", "Review date must be a real date"),
    ({"triage_level": ""}, "triage_level", "Level: an answer is required."),
    ({"ex-0-per": ""}, "ex-0-per", "Give how often and per day or week together."),
])
def test_each_refusal_names_its_field(client, changes, key, words) -> None:
    record_id = _store(client)
    refused = client.post(f"/ankle/assessments/{record_id}/plan", data=_form(**changes))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    error = page[page.index(f'id="{key}-error"'):]
    assert words in error[:400]


def test_at_most_five_exercises(client) -> None:
    record_id = _store(client)
    form = _form(**{"ex-3-id": "calf_stretch", "ex-3-sets": "1", "ex-3-reps": "2",
                    "ex-3-times": "2", "ex-3-per": "week",
                    "ex-4-id": "towel_curls", "ex-4-sets": "2", "ex-4-reps": "10",
                    "ex-4-times": "2", "ex-4-per": "week", "add": "short_foot"})
    refused = client.post(f"/ankle/assessments/{record_id}/plan", data=form)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Choose at most 5 exercises." in page and 'aria-invalid="true"' in _tag(page, "add")


def test_the_form_needs_its_csrf_token(make_app) -> None:
    host = make_app(csrf=True, ANKLE_INTAKE_CURRENT_USER=lambda: USER)
    client = host.test_client()
    record_id = _store(client)
    refused = client.post(f"/ankle/assessments/{record_id}/plan", data=_form())
    assert refused.status_code == 400 and "nothing was saved" in refused.get_data(as_text=True)
    assert client.post(f"/ankle/assessments/{record_id}/sign", data={}).status_code == 400
    assert state(host).storage.get(record_id)["status"] == "draft"
    page = client.get(f"/ankle/assessments/{record_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    saved = client.post(f"/ankle/assessments/{record_id}/plan",
                        data=_form(csrf_token=token))
    assert saved.status_code == 303


def test_sign_saves_the_posted_plan_then_locks(client, host) -> None:
    record_id = _store(client)
    signed = client.post(f"/ankle/assessments/{record_id}/sign",
                         data=_form(**{"patient_note": "Ice after runs", "ex-2-remove": "1"}))
    assert signed.status_code == 303
    record = state(host).storage.get(record_id)
    assert record["status"] == "signed" and record["version"] == 1
    assert record["signed_by"] == USER
    assert [e["id"] for e in record["plan"]["exercises"]] == ["ankle_alphabet", "glute_bridges"]
    page = client.get(f"/ankle/assessments/{record_id}").get_data(as_text=True)
    assert re.search(r"Signed by Sam Physio at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(version 1\)", page)
    assert 'id="plan-form"' not in page  # read-only now
    signed_part = page[page.index('class="ai-signed"'):page.index('id="amend-title"')]
    assert "Ice after runs" in signed_part and "Glute bridges" in signed_part
    assert "Clamshells" not in signed_part
    assert f'href="/ankle/assessments/{record_id}/handout.pdf?version=1"' in page
    assert f'action="/ankle/assessments/{record_id}/addenda"' in page
    # Locked: the plan, a second signature.
    locked = client.post(f"/ankle/assessments/{record_id}/plan", data=_form())
    assert locked.status_code == 409 and "changes only by" in locked.get_data(as_text=True)
    assert client.post(f"/ankle/assessments/{record_id}/sign", data={}).status_code == 409
    assert len(state(host).storage.get(record_id)["plan"]["exercises"]) == 2


def test_an_addendum_is_not_for_a_draft(client) -> None:
    record_id = _store(client)
    refused = client.post(f"/ankle/assessments/{record_id}/addenda",
                          data=_form(reason="Changed my mind"))
    assert refused.status_code == 409


def test_signing_needs_a_current_user(make_app) -> None:
    host = make_app()  # no ANKLE_INTAKE_CURRENT_USER
    client = host.test_client()
    record_id = _store(client)
    page = client.get(f"/ankle/assessments/{record_id}").get_data(as_text=True)
    assert "signing is not possible" in page
    refused = client.post(f"/ankle/assessments/{record_id}/sign",
                          data=_form(patient_note="kept"))
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert "Nothing was signed." in text and ">kept</textarea>" in text
    record = state(host).storage.get(record_id)
    assert record["status"] == "draft" and record["plan"] is None


def test_an_addendum_makes_the_next_version_and_keeps_the_first(client, host) -> None:
    record_id = _store(client)
    client.post(f"/ankle/assessments/{record_id}/sign", data=_form(patient_note="First plan"))
    first = client.get(f"/ankle/assessments/{record_id}/handout.pdf?version=1").data
    refused = client.post(f"/ankle/assessments/{record_id}/addenda",
                          data=_form(reason="", patient_note="Second plan"))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'aria-invalid="true"' in _tag(page, "reason") and "<details" in page
    assert 'id="amend" open' in page
    amended = client.post(f"/ankle/assessments/{record_id}/addenda",
                          data=_form(reason="Tingling gone <b>", patient_note="Second plan"))
    assert amended.status_code == 303
    record = state(host).storage.get(record_id)
    assert record["version"] == 2 and record["plan"]["patient_note"] == "Second plan"
    page = client.get(f"/ankle/assessments/{record_id}").get_data(as_text=True)
    assert "(version 2)" in page and "Tingling gone &lt;b&gt;" in page
    for n in (1, 2):
        assert f"handout.pdf?version={n}" in page and f"handout?version={n}" in page
    assert client.get(f"/ankle/assessments/{record_id}/handout.pdf?version=1").data == first
    assert "Second plan" in flat(pdf_text(
        client.get(f"/ankle/assessments/{record_id}/handout.pdf?version=2").data))


def test_every_view_is_audited_and_refused_when_it_cannot_be(client, host, monkeypatch) -> None:
    record_id = _store(client)
    client.get(f"/ankle/assessments/{record_id}")
    trail = state(host).storage.audit_trail(record_id)
    assert [row["action"] for row in trail] == ["create", "view"]
    assert trail[-1]["user"] == "physio-7"

    def broken(*args: Any, **kwargs: Any) -> None:
        raise AuditFailed("OperationalError")

    monkeypatch.setattr(state(host).storage, "log_event", broken)
    refused = client.get(f"/ankle/assessments/{record_id}")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert "MRN-4411" not in refused.get_data(as_text=True)


def test_an_unknown_record_has_no_review(client) -> None:
    for path in ("/plan", "/sign", "/addenda"):
        assert client.post(f"/ankle/assessments/nope{path}", data={}).status_code == 404
