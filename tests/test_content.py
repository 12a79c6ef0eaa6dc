"""The guidance content: every item sourced, checked at load, shown verbatim."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ankle_intake import assess
from ankle_intake.guidance import CONTENT, ContentError, content, load_content

from casebook import ARTICLE_FILE, intake, vignette_answers, vignette_cases


def article_lines() -> list[str]:
    return [line.strip() for line in ARTICLE_FILE.read_text(encoding="utf-8").splitlines()]


def all_sources(item: dict) -> list[dict]:
    found = [item["source"]]
    found += [item["dose_source"]] if "dose_source" in item else []
    found += [s["source"] for s in item.get("signs", []) if "source" in s]
    found += [h["source"] for h in item.get("healing", []) if "source" in h]
    return found


def test_every_item_has_an_id_and_a_source() -> None:
    items = CONTENT.items()
    assert len(items) > 80
    for item in items:
        assert item["id"]
        served = (
            "phases" in item or item["id"] in CONTENT.conditions
            or item["id"] in CONTENT.special_tests or item["id"] in CONTENT.ottawa_scope
            or item["id"].startswith("urgency_") or item["id"] in CONTENT.progression
            or item["id"] in (CONTENT.red_flag_reason["id"], CONTENT.default_reason["id"])
        )
        if item not in CONTENT.triage_rules and item not in CONTENT.levels.values():
            assert served, item["id"]
        for source in all_sources(item):
            assert len(source) == 1 and ("article" in source or "citation" in source), item["id"]


@pytest.mark.skipif(not ARTICLE_FILE.exists(), reason="no shared article beside the checkout")
def test_every_article_source_names_real_sections_in_order() -> None:
    lines = article_lines()
    for item in CONTENT.items():
        for source in all_sources(item):
            if "article" not in source:
                continue
            position = -1
            for part in source["article"].split(" > "):
                assert part in lines[position + 1:], f"{item['id']}: no section {part!r}"
                position = lines.index(part, position + 1)


def test_what_goes_beyond_the_article_cites_its_published_source() -> None:
    for advice in CONTENT.ottawa.values():
        citation = advice["source"]["citation"]
        assert "Stiell" in citation or "Bachmann" in citation
    flags = {f["id"]: f for f in CONTENT.red_flags}
    for flag_id in ("ottawa_ankle_positive", "ottawa_foot_positive", "cannot_bear_weight"):
        assert "Stiell" in flags[flag_id]["source"]["citation"]
        assert "JAMA. 1993;269" in flags[flag_id]["source"]["citation"]
    assert "AAOS" in flags["suspected_achilles_rupture"]["source"]["citation"]
    assert "JOSPT" in flags["suspected_syndesmosis"]["source"]["citation"] or (
        "J Orthop Sports Phys Ther" in flags["suspected_syndesmosis"]["source"]["citation"])
    for flag_id, guideline in (("diabetes_nerve_symptoms", "NG19"), ("charcot_foot", "NG19"),
                               ("deep_vein_thrombosis", "NG158"), ("night_pain", "NG12"),
                               ("weight_loss", "NG12")):
        assert guideline in flags[flag_id]["source"]["citation"], flag_id
    assert "hot swollen joint" in flags["septic_joint"]["source"]["citation"]
    for test in CONTENT.special_tests.values():
        assert len(test["source"]["citation"]) > 40, test["id"]


def test_every_red_flag_refers_with_an_urgency_and_holds_loading() -> None:
    for flag in CONTENT.red_flags:
        assert flag["urgency"] in ("emergency", "same_day", "within_1_working_day", "routine")
        assert flag["action"] and flag["refer_to"], flag["id"]
        assert {"loading", "impact"} <= set(flag["holds"]), flag["id"]
        assert "clinician" not in flag["text"].lower(), flag["id"]


def test_content_is_loaded_once() -> None:
    assert load_content() is load_content() is CONTENT


def _item(data: dict, ident: str) -> dict:
    return next(item for item in data["items"] if item["id"] == ident)


def _load_with(monkeypatch: pytest.MonkeyPatch, name: str, change: Any) -> None:
    real = content._read

    def fake(file: str) -> dict:
        data = copy.deepcopy(real(file))
        if file == name:
            change(data)
        return data

    monkeypatch.setattr(content, "_read", fake)
    load_content.__wrapped__()


@pytest.mark.parametrize(
    ("name", "change", "named"),
    [
        ("rice.json", lambda d: d["items"][1].pop("source"), "rice_ice"),
        ("red_flags.json", lambda d: _item(d, "nerve_signs")["when"].update(fact="nerve_sign"),
         "nerve_signs"),
        ("red_flags.json", lambda d: _item(d, "night_pain").update(urgency="soon"),
         "night_pain"),
        ("red_flags.json", lambda d: _item(d, "weight_loss").update(holds=["impact"]),
         "weight_loss"),
        ("special_tests.json", lambda d: d["items"].pop(), "special_tests"),
        ("triage.json", lambda d: d["items"][0]["when"].update(has_any=["sharpens"]),
         "sharpens_during_run"),
        ("exercises.json", lambda d: d["items"][0]["steps"].extend(["a", "b"]), "ankle_alphabet"),
        ("advice.json", lambda d: d["items"][0].update(phases=["later"]), "cross_training"),
        ("rice.json", lambda d: d["items"][1].update(id="rice_rest"), "rice_rest"),
        ("conditions.json", lambda d: _item(d, "ankle_sprain").update(likely_at="four"),
         "ankle_sprain"),
        ("rice.json", lambda d: d["items"][0].pop("phases"), "rice_rest"),
        ("red_flags.json", lambda d: _item(d, "suspected_stress_fracture").update(
            conditions=["gout"]), "suspected_stress_fracture"),
    ],
)
def test_a_broken_item_fails_at_load_naming_its_id(
    monkeypatch: pytest.MonkeyPatch, name: str, change: Any, named: str
) -> None:
    with pytest.raises(ContentError, match=named):
        _load_with(monkeypatch, name, change)


def _content_texts() -> set[str]:
    texts: set[str] = set()
    keys = ("text", "reason", "summary", "note", "label", "name", "dose", "how", "stop_if",
            "advice", "clinician_label", "clinician_summary", "clinician_advice",
            "clinician_text", "action", "refer_to", "accuracy")
    for item in CONTENT.items():
        for key in keys:
            if isinstance(item.get(key), str):
                texts.add(item[key])
        texts.update(item.get("steps", []))
        for part in item.get("signs", []) + item.get("healing", []):
            texts.add(part.get("reason") or part.get("note"))
        texts.update(part["text"] for part in item.get("findings", []))
        texts.update(s for source in all_sources(item) for s in source.values())
    template = CONTENT.red_flag_reason["text"]
    texts.update(template.format(name=f["name"]) for f in CONTENT.red_flags)
    return texts


def _sentences(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _sentences(v)]
    if isinstance(value, list):
        return [s for v in value for s in _sentences(v)]
    if isinstance(value, str) and " " in value:
        return [value]
    return []


def _composed(sentence: str) -> bool:
    """The engine's own joins: "<action>: <flag name> (<findings>)" and the Ottawa scope days."""
    for flag in CONTENT.red_flags:
        if sentence.startswith(f"{flag['action']}: {flag['name']}"):
            return True
    late = CONTENT.ottawa_scope["ottawa_scope_late"]["text"]
    return late.split("{days}")[1] in sentence and sentence.split(" ")[0].isdigit()


def test_every_sentence_shown_comes_from_the_content() -> None:
    known = _content_texts()
    cases = [vignette_answers(c) for c in vignette_cases() if "status" not in c["expect"]]
    cases += [intake(), intake(pain_locations=["back_of_ankle"], swelling="mild",
                               weekly_distance=12)]
    for answers in cases:
        for sentence in _sentences(assess(answers)):
            assert sentence in known or _composed(sentence), sentence


def test_the_data_files_are_plain_utf8_json() -> None:
    from importlib import resources

    folder = resources.files("ankle_intake.guidance").joinpath("data")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    assert "meta.json" in names and len(names) >= 8
    for name in names:
        json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
