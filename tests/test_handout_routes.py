"""The handout routes: the stored intake's PDF, the unsaved-answers API, the result-page link."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from ankle_intake.guidance.handout_content import HANDOUT

from handout_helpers import flat, pdf_text

HOSTILE = "Zoë O'Brien <b>&amp;</b> <script>"


def _store(client: Any, answers: dict[str, Any]) -> str:
    created = client.post("/ankle/api/assessments", json=answers)
    assert created.status_code == 201
    return created.json["id"]


def test_a_stored_intake_prints_its_handout(client, valid) -> None:
    record_id = _store(client, {**valid, "patient_name": HOSTILE, "patient_ref": "MRN-7781"})
    response = client.get(f"/ankle/assessments/{record_id}/handout.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert record_id in response.headers["Content-Disposition"]
    assert "O'Brien" not in response.headers["Content-Disposition"]
    text = flat(pdf_text(response.data))
    assert HOSTILE in text and "MRN-7781" not in text
    again = client.get(f"/ankle/assessments/{record_id}/handout.pdf")
    assert again.data == response.data


def test_the_handout_opens_to_print_or_downloads_as_a_file(client, valid) -> None:
    record_id = _store(client, {**valid, "patient_name": HOSTILE})
    shown = client.get(f"/ankle/assessments/{record_id}/handout.pdf")
    saved = client.get(f"/ankle/assessments/{record_id}/handout.pdf?download=1")
    name = f'filename="ankle-handout-{record_id}.pdf"'
    assert shown.headers["Content-Disposition"] == f"inline; {name}"
    assert saved.headers["Content-Disposition"] == f"attachment; {name}"
    assert saved.data == shown.data
    page = client.get(f"/ankle/assessments/{record_id}").get_data(as_text=True)
    assert f'href="/ankle/assessments/{record_id}/handout.pdf?download=1" download>' in page


def test_an_unknown_record_has_no_handout(client) -> None:
    assert client.get("/ankle/assessments/nope/handout.pdf").status_code == 404
    missing = "/ankle/assessments/00000000-0000-0000-0000-000000000000/handout.pdf"
    assert client.get(missing).status_code == 404


def test_large_print_is_chosen_per_handout(client, valid) -> None:
    record_id = _store(client, valid)
    normal = client.get(f"/ankle/assessments/{record_id}/handout.pdf").data
    large = client.get(f"/ankle/assessments/{record_id}/handout.pdf?large_print=1").data
    assert len(PdfReader(io.BytesIO(large)).pages) > len(PdfReader(io.BytesIO(normal)).pages)


def test_clinic_name_and_page_size_come_from_config(make_app, valid) -> None:
    host = make_app(ANKLE_INTAKE_CLINIC_NAME="Riverside Physio", ANKLE_INTAKE_PAGE_SIZE="letter")
    response = host.test_client().post("/ankle/api/handout", json=valid)
    assert response.status_code == 200
    assert "Riverside Physio" in flat(pdf_text(response.data))
    box = PdfReader(io.BytesIO(response.data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_the_api_prints_without_storing(client, valid, count) -> None:
    before = count()
    response = client.post("/ankle/api/handout", json={**valid, "patient_name": HOSTILE})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Cache-Control"] == "no-store"
    assert HOSTILE in flat(pdf_text(response.data))
    assert count() == before


def test_the_api_refuses_bad_answers_like_the_json_api(client, valid, count) -> None:
    response = client.post("/ankle/api/handout", json={**valid, "pain_now": 11})
    assert response.status_code == 422 and response.is_json
    assert "pain_now" in response.json["errors"]
    unknown = client.post("/ankle/api/handout", json={**valid, "shoe_size": 44})
    assert unknown.status_code == 422 and "shoe_size" in unknown.json["errors"]
    not_json = client.post("/ankle/api/handout", data="side=left",
                           content_type="application/json")
    assert not_json.status_code == 400 and "_body" in not_json.json["errors"]
    assert count() == 0


def test_both_routes_answer_403_without_the_hook(make_app, valid) -> None:
    client = make_app(authorize=None).test_client()
    assert client.post("/ankle/api/handout", json=valid).status_code == 403
    missing = "/ankle/assessments/00000000-0000-0000-0000-000000000000/handout.pdf"
    assert client.get(missing).status_code == 403


def test_the_result_page_links_to_the_handout(client, valid) -> None:
    record_id = _store(client, valid)
    page = client.get(f"/ankle/assessments/{record_id}").get_data(as_text=True)
    assert f'href="/ankle/assessments/{record_id}/handout.pdf"' in page
    assert f'href="/ankle/assessments/{record_id}/handout.pdf?large_print=1"' in page
    assert "Print handout" in page


def test_the_openapi_document_lists_the_handout(client) -> None:
    doc = client.get("/ankle/api/openapi.json").json
    post = doc["paths"]["/ankle/api/handout"]["post"]
    assert "application/pdf" in post["responses"]["200"]["content"]
    assert {"200", "400", "403", "413", "415", "422"} <= set(post["responses"])


def test_the_handout_is_also_a_web_page(client, valid) -> None:
    record_id = _store(client, {**valid, "patient_name": HOSTILE, "patient_ref": "MRN-7781",
                                "swelling": "mild"})
    response = client.get(f"/ankle/assessments/{record_id}/handout")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert html.escape(HOSTILE, quote=True) in page and "<script>" not in page
    assert "MRN-7781" not in page
    assert "ankle_intake_handout.css" in page and "@media print" not in page
    assert f'href="/ankle/assessments/{record_id}/handout.pdf"' in page
    for heading in ("heading_now", "heading_get_help", "heading_rice", "disclaimer"):
        assert html.escape(HANDOUT.text(heading), quote=True) in page
    assert client.get("/ankle/assessments/nope/handout").status_code == 404
    with client.get("/ankle/static/ankle_intake_handout.css") as css:
        assert "@media print" in css.get_data(as_text=True)


USER = {"id": "physio-7", "name": "Sam Physio"}


def _signed(make_app, valid) -> tuple[Any, Any, str]:
    host = make_app(ANKLE_INTAKE_CURRENT_USER=lambda: USER)
    client = host.test_client()
    record_id = _store(client, valid)
    assert client.post(f"/ankle/assessments/{record_id}/sign", data={}).status_code == 303
    return host, client, record_id


def test_a_version_prints_by_its_number(make_app, valid) -> None:
    from ankle_intake.extension import state

    host, client, record_id = _signed(make_app, valid)
    first = client.get(f"/ankle/assessments/{record_id}/handout.pdf?version=1")
    assert first.status_code == 200
    assert f"ankle-handout-{record_id}-v1.pdf" in first.headers["Content-Disposition"]
    assert "Sam Physio" in flat(pdf_text(first.data))
    page = client.get(f"/ankle/assessments/{record_id}/handout?version=1")
    assert page.status_code == 200
    assert "handout.pdf?version=1" in page.get_data(as_text=True)
    for bad in ("2", "0", "-1", "one", "9" * 40):
        for path in ("handout.pdf", "handout"):
            response = client.get(f"/ankle/assessments/{record_id}/{path}?version={bad}")
            assert response.status_code == 404, (path, bad)
    actions = [(r["action"], r["version"], r["user"])
               for r in state(host).storage.audit_trail(record_id)]
    assert actions[-2:] == [("print", 1, "physio-7"), ("print", 1, "physio-7")]


def test_a_draft_has_no_numbered_version(client, valid) -> None:
    record_id = _store(client, valid)
    assert client.get(f"/ankle/assessments/{record_id}/handout.pdf?version=1").status_code == 404
    assert "draft" in flat(pdf_text(
        client.get(f"/ankle/assessments/{record_id}/handout.pdf").data)).lower()


def test_a_print_that_cannot_be_audited_is_refused(make_app, valid, monkeypatch) -> None:
    from ankle_intake.extension import state
    from ankle_intake.store.decisions import AuditFailed

    host, client, record_id = _signed(make_app, valid)
    client.get(f"/ankle/assessments/{record_id}/handout.pdf?download=1")
    assert state(host).storage.audit_trail(record_id)[-1]["action"] == "export"

    def broken(*args: Any, **kwargs: Any) -> None:
        raise AuditFailed("OperationalError")

    monkeypatch.setattr(state(host).storage, "log_event", broken)
    for path in ("handout.pdf", "handout", "handout.pdf?version=1"):
        refused = client.get(f"/ankle/assessments/{record_id}/{path}")
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
        assert not refused.data.startswith(b"%PDF")


# -- the clinic's video links (issue 15 item 3) --------------------------------------

VIDEO = "https://videos.example-clinic.org/ankle/{exercise_id}"


@pytest.mark.parametrize("template", [
    "https://videos.example.org/{name}", "https://videos.example.org/{exercise_id}/{0}",
    "https://videos.example.org/{exercise_id!r}", "ftp://videos.example.org/{exercise_id}",
    "https://videos.example.org/all", "javascript:alert(1)//{exercise_id}", 42,
])
def test_a_bad_video_url_template_fails_at_registration(make_app, template) -> None:
    from ankle_intake import AnkleIntake

    host = make_app(register=False, ANKLE_INTAKE_EXERCISE_VIDEO_URL=template)
    with pytest.raises((ValueError, TypeError), match="ANKLE_INTAKE_EXERCISE_VIDEO_URL"):
        AnkleIntake(host)


def test_the_video_links_print_and_a_signed_reprint_is_its_stored_bytes(make_app, valid) -> None:
    host = make_app(ANKLE_INTAKE_CURRENT_USER=lambda: USER,
                    ANKLE_INTAKE_EXERCISE_VIDEO_URL=VIDEO,
                    ANKLE_INTAKE_CLINIC_PHONE="020 7946 0018")
    client = host.test_client()
    record_id = _store(client, {**valid, "patient_name": HOSTILE})
    exercises = client.get(f"/ankle/api/assessments/{record_id}").json["assessment"]["exercises"]
    assert exercises
    links = [VIDEO.format(exercise_id=ex["id"]) for ex in exercises]
    page = client.get(f"/ankle/assessments/{record_id}/handout").get_data(as_text=True)
    assert [link for link in links if f'href="{link}"' in page] == links
    assert record_id not in " ".join(re.findall(r'href="(https://videos[^"]+)"', page))
    draft = flat(pdf_text(client.get(f"/ankle/assessments/{record_id}/handout.pdf").data))
    assert all(link.removeprefix("https://") in draft.replace(" ", "") for link in links)
    first_page = flat(PdfReader(io.BytesIO(client.get(
        f"/ankle/assessments/{record_id}/handout.pdf").data)).pages[0].extract_text())
    assert "020 7946 0018" in first_page
    assert client.post(f"/ankle/assessments/{record_id}/sign", data={}).status_code == 303
    signed = client.get(f"/ankle/assessments/{record_id}/handout.pdf?version=1").data
    host.config["ANKLE_INTAKE_EXERCISE_VIDEO_URL"] = ""  # the clinic drops its videos later
    again = client.get(f"/ankle/assessments/{record_id}/handout.pdf?version=1").data
    assert again == signed  # a signed version reprints as given, from its stored bytes
    assert "videos.example-clinic.org" in flat(pdf_text(again))
