"""The FHIR endpoints, the note and the CLI commands, in a host app."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from ankle_intake import load_answers
from ankle_intake.fhir import (
    FHIR_JSON,
    QUESTIONNAIRE_URL,
    answers_from_response,
    questionnaire,
    response_from_answers,
)

HOSTILE = "Zoë O'Brien <b>&amp;</b>"
FHIR_URL = "/ankle/api/fhir/QuestionnaireResponse"


@pytest.fixture
def database_url(any_database_url: str | None) -> str | None:
    """SQLite, and PostgreSQL when the suite is given one (as in .ci/run)."""
    return any_database_url


@pytest.fixture
def qr(valid: dict) -> dict:
    return response_from_answers(load_answers({
        **valid, "assessment_date": "2026-03-02", "injury_date": "2026-03-01",
        "patient_name": HOSTILE, "patient_ref": "MRN-55731", "pain_running": None,
    }))


def post_fhir(client, body: object, content_type: str = FHIR_JSON):
    return client.post(FHIR_URL, data=json.dumps(body), content_type=content_type)


def test_the_questionnaire_is_served_as_fhir_json(client) -> None:
    response = client.get("/ankle/fhir/Questionnaire")
    assert response.status_code == 200
    assert response.mimetype == FHIR_JSON
    assert response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.get_data(as_text=True)) == questionnaire()


@pytest.mark.parametrize("content_type", [FHIR_JSON, "application/json"])
def test_a_response_takes_the_json_path(client, count, qr, content_type) -> None:
    response = post_fhir(client, qr, content_type)
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert response.headers["Location"] == f"/ankle/api/assessments/{record['id']}"
    assert record["answers"] == answers_from_response(qr)
    assert record["answers"]["pain_running"] is None
    assert count() == 1
    same = client.post("/ankle/api/assessments", json=record["answers"]).get_json()
    assert same["assessment"] == record["assessment"]
    assert client.get(response.headers["Location"]).get_json() == record


@pytest.mark.parametrize(("change", "field"), [
    (lambda qr: qr["item"][1]["item"].append({"linkId": "mood"}), "mood"),
    (lambda qr: qr.update(questionnaire="https://example.com/Questionnaire/x"), "questionnaire"),
    (lambda qr: qr.update(resourceType="Patient"), "resourceType"),
    (lambda qr: qr["item"][1]["item"][0].update(answer=[{"valueString": "left"}]), "side"),
    (lambda qr: qr["item"][1].update(item=qr["item"][1]["item"][1:]), "side"),
])
def test_a_bad_response_is_422_naming_the_linkid(client, count, qr, change, field) -> None:
    assert qr["item"][1]["item"][0]["linkId"] == "side"
    change(qr)
    response = post_fhir(client, qr)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert count() == 0


def test_the_examination_takes_the_json_path_too(client, count, valid) -> None:
    answers = load_answers({
        **valid, "age": 41, "mechanism": "push_off_or_landing", "weight_bearing": "partial",
        "heel_raise_count": 3, "previous_sprains": 0, "limping": False,
        "special_tests": {"thompson_test": "positive", "hop_test": "negative"},
        "warning_signs": ["calf_pain_or_swelling"], "medications": ["oral_steroid"],
    })
    response = post_fhir(client, response_from_answers(answers))
    assert response.status_code == 201, response.get_json()
    stored = response.get_json()["answers"]
    assert stored == answers and stored["limping"] is False
    back = json.loads(client.get(f"/ankle/api/assessments/{response.get_json()['id']}/fhir")
                      .get_data(as_text=True))
    assert back["status"] == "in-progress"  # a draft: not yet signed
    assert answers_from_response({**back, "status": "completed"}) == answers
    assert count() == 1


def _set_answer(items: list[dict], link: str, answer: dict) -> None:
    for item in items:
        if item["linkId"] == link:
            item["answer"] = [answer]
        _set_answer(item.get("item", []), link, answer)


@pytest.mark.parametrize(("link", "answer", "literal"), [
    ("pain_now", {"valueInteger": "@"}, "1e400"),
    ("pain_now", {"valueInteger": "@"}, "1" + "0" * 400),
    ("weekly_distance", {"valueDecimal": "@"}, "1" + "0" * 400),
    ("weekly_distance", {"valueDecimal": "@"}, "-1e400"),
    ("side", {"valueCoding": {"system": ["@"], "code": "left"}}, "1"),
    ("side", {"valueCoding": {"system": "x", "code": {"a": "@"}}}, "1"),
    ("special_tests.thompson_test", {"valueCoding": {"code": ["@"]}}, "1"),
])
def test_hostile_numbers_and_codings_are_422_never_500(client, count, valid, link, answer,
                                                       literal) -> None:
    """JSON's 1e400 parses as inf and a 401-digit literal as an int no float holds."""
    qr = response_from_answers(load_answers({
        **valid, "weekly_distance": 20, "special_tests": {"thompson_test": "negative"}}))
    _set_answer(qr["item"], link, answer)
    body = json.dumps(qr).replace('"@"', literal)
    response = client.post(FHIR_URL, data=body, content_type=FHIR_JSON)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert list(response.get_json()["errors"]) == [link]
    assert count() == 0


def test_a_body_that_is_not_json_gets_400_and_a_form_post_415(client, count) -> None:
    response = client.post(FHIR_URL, data="{not json", content_type=FHIR_JSON)
    assert response.status_code == 400 and response.get_json()["errors"]["_body"]
    response = client.post(FHIR_URL, data="resourceType=QuestionnaireResponse",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert count() == 0


def test_a_stored_intake_comes_back_as_a_questionnaire_response(client, qr) -> None:
    record = post_fhir(client, qr).get_json()
    response = client.get(f"/ankle/api/assessments/{record['id']}/fhir")
    assert response.status_code == 200 and response.mimetype == FHIR_JSON
    assert response.headers["Cache-Control"] == "no-store"
    back = json.loads(response.get_data(as_text=True))
    QuestionnaireResponse.model_validate(back)
    assert (back["id"], back["authored"]) == (record["id"], record["created_at"])
    assert back["questionnaire"].startswith(QUESTIONNAIRE_URL + "|")
    # A draft is in-progress until signed, and only a finished response is assessed.
    assert back["status"] == "in-progress" and "author" not in back  # stored by nobody named
    assert answers_from_response({**back, "status": "completed"}) == record["answers"]


def test_unknown_ids_are_404(client) -> None:
    missing = str(uuid.uuid4())
    fhir = client.get(f"/ankle/api/assessments/{missing}/fhir")
    assert fhir.status_code == 404 and fhir.get_json()["errors"]
    assert client.get(f"/ankle/assessments/{missing}/note.txt").status_code == 404
    assert client.get("/ankle/assessments/not-an-id/note.txt").status_code == 404


def test_the_note_is_plain_text_and_never_cached(client, qr) -> None:
    record = post_fhir(client, qr).get_json()
    response = client.get(f"/ankle/assessments/{record['id']}/note.txt")
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert f"Patient name: {HOSTILE}\n" in text
    assert "MRN-55731" not in text
    assert "- Pain while running: could not run" in text


def test_every_new_route_asks_the_hook(make_app, qr) -> None:
    client = make_app(authorize=lambda: False).test_client()
    some_id = str(uuid.uuid4())
    for response in (
        client.get("/ankle/fhir/Questionnaire"),
        post_fhir(client, qr),
        client.get(f"/ankle/api/assessments/{some_id}/fhir"),
        client.get(f"/ankle/assessments/{some_id}/note.txt"),
    ):
        assert response.status_code == 403
        assert response.headers["Cache-Control"] == "no-store"


def test_the_openapi_document_has_the_fhir_endpoints(client) -> None:
    doc = client.get("/ankle/api/openapi.json").get_json()
    paths = doc["paths"]
    assert set(paths["/ankle/fhir/Questionnaire"]) == {"get"}
    post = paths["/ankle/api/fhir/QuestionnaireResponse"]["post"]
    assert set(post["requestBody"]["content"]) == {FHIR_JSON, "application/json"}
    assert set(post["responses"]) >= {"201", "400", "403", "413", "415", "422"}
    assert FHIR_JSON in (
        paths["/ankle/api/assessments/{assessment_id}/fhir"]["get"]["responses"]["200"]["content"]
    )
    refs = {m for m in json.dumps(doc).split('"') if m.startswith("#/components/schemas/")}
    assert {r.rsplit("/", 1)[1] for r in refs} <= set(doc["components"]["schemas"])


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def write(tmp_path: Path, body: object, name: str = "answers.json") -> str:
    path = tmp_path / name
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return str(path)


def test_cli_assess_prints_the_assessment(runner, count, tmp_path, valid, qr) -> None:
    from_answers = runner.invoke(args=["ankle-intake", "assess", write(tmp_path, {
        **valid, "assessment_date": "2026-03-02"})])
    assert from_answers.exit_code == 0, from_answers.output
    result = json.loads(from_answers.stdout)
    assert result["triage"]["level"] and result["rules_version"]
    from_fhir = runner.invoke(args=["ankle-intake", "assess", write(tmp_path, qr, "qr.json")])
    assert from_fhir.exit_code == 0, from_fhir.output
    assert json.loads(from_fhir.stdout)["stop_running"] is True  # could not run
    assert count() == 0


@pytest.mark.parametrize(("body", "named"), [
    ({"side": "left", "onset": "sudden", "pain_locations": ["heel"], "pain_now": 11}, "pain_now"),
    ({"resourceType": "QuestionnaireResponse", "status": "completed",
      "questionnaire": QUESTIONNAIRE_URL, "item": []}, "side"),
    ("{not json", "not valid JSON"),
])
def test_cli_assess_refuses_bad_input_naming_the_field(runner, tmp_path, body, named) -> None:
    result = runner.invoke(args=["ankle-intake", "assess", write(tmp_path, body)])
    assert result.exit_code != 0
    assert named in result.output
    assert "Traceback" not in result.output


def test_cli_questionnaire_prints_it(runner) -> None:
    result = runner.invoke(args=["ankle-intake", "questionnaire"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == questionnaire()


def test_cli_handout_writes_the_pdf(runner, count, tmp_path, valid, qr) -> None:
    out = tmp_path / "out.pdf"
    done = runner.invoke(args=["ankle-intake", "handout", write(tmp_path, valid), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF-") and str(out) in done.output
    from_fhir = tmp_path / "fhir.pdf"
    done = runner.invoke(args=["ankle-intake", "handout", write(tmp_path, qr, "qr.json"),
                               "-o", str(from_fhir), "--large-print"])
    assert done.exit_code == 0, done.output
    assert from_fhir.read_bytes().startswith(b"%PDF-")
    assert count() == 0


def test_cli_handout_refuses_bad_input_and_writes_nothing(runner, tmp_path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "out.pdf"
    bad = {"side": "left", "onset": "sudden", "pain_locations": [], "pain_now": 2}
    done = runner.invoke(args=["ankle-intake", "handout", write(tmp_path, bad), "-o", str(out)])
    assert done.exit_code != 0 and "pain_locations" in done.output
    assert list(folder.iterdir()) == []
