"""Signal ``assessment-created``: sent after the commit, carrying the stored record."""

from __future__ import annotations

from flask import Flask

from ankle_intake.extension import state
from ankle_intake.signals import assessment_created


def test_signal_carries_the_committed_record(app: Flask, client, valid) -> None:
    received = []

    def receiver(sender, record, **extra):
        # sent after commit: the record can already be read back from storage
        received.append((sender, record, state(sender).storage.get(record["id"])))

    with assessment_created.connected_to(receiver, app):
        api = client.post("/ankle/api/assessments", json={**valid, "patient_ref": "P-9"})
        form = client.post("/ankle/intake", data={"side": "left", "onset": "gradual",
                                                  "pain_locations": ["heel"], "pain_now": "1"})
    assert api.status_code == 201 and form.status_code == 303
    assert [r[1]["id"] for r in received] == [api.json["id"], form.headers["Location"][-36:]]
    sender, record, stored = received[0]
    assert sender is app
    assert record == stored == api.json
    assert record["patient_ref"] == "P-9"


def test_a_failing_receiver_neither_loses_the_record_nor_fails_the_request(
    app: Flask, client, valid, caplog
) -> None:
    def broken(sender, record, **extra):
        raise RuntimeError(f"cannot file {record['answers'].get('patient_name')}")

    with assessment_created.connected_to(broken, app):
        created = client.post("/ankle/api/assessments",
                              json={**valid, "patient_name": "Zoë Receiverfail"})
    assert created.status_code == 201
    assert client.get(f"/ankle/api/assessments/{created.json['id']}").status_code == 200
    logged = [r.getMessage() for r in caplog.records]
    assert any("RuntimeError" in m and created.json["id"] in m for m in logged)
    assert not any("Receiverfail" in m for m in logged)


def test_signal_namespace_name() -> None:
    assert assessment_created.name == "assessment-created"


def test_receivers_of_another_app_are_not_called(make_app, valid) -> None:
    first, second = make_app(), make_app()
    calls = []
    with assessment_created.connected_to(lambda sender, **kw: calls.append(sender), second):
        assert first.test_client().post("/ankle/api/assessments", json=valid).status_code == 201
    assert calls == []
