"""The tiny rule language the guidance data uses in its ``when`` clauses.

A predicate is JSON: ``{"fact": "onset", "eq": "sudden"}``, combined with
``{"all": [...]}``, ``{"any": [...]}`` and ``{"not": {...}}``. Predicates are
compiled once, when the content loads, and every fact name and choice value
is checked against the vocabulary then, so a typo in the data fails at import
with the item's id instead of silently never matching.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..forms.vocabulary import BY_KEY, OTTAWA_KEYS, TEST_KEYS

Facts = Mapping[str, Any]
Predicate = Callable[[Facts], bool]

CONDITION_IDS = (
    "achilles_rupture",
    "ankle_sprain",
    "high_ankle_sprain",
    "chronic_ankle_instability",
    "achilles_tendinitis",
    "stress_fracture",
    "tarsal_tunnel_syndrome",
    "muscle_soreness",
)

#: Facts computed from the answers, with the values a predicate may compare them to.
DERIVED_FACTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "days_since_injury": ("integer", ()),
    "swelling_level": ("integer", ()),
    "ottawa_result": ("choice", ("positive", "negative", "not_assessed", "not_applicable")),
    "ottawa_applies": ("boolean", ()),
    "in_pain": ("boolean", ()),
    "high_risk_site": ("boolean", ()),
    "bony_tenderness": ("boolean", ()),
    "return_checks_open": ("boolean", ()),
    # Each special test as a fact of its own: "positive", "negative" or absent (not examined).
    **{key: ("choice", ("positive", "negative")) for key in TEST_KEYS},
    "acute_window": ("boolean", ()),
    "before_earliest_return": ("boolean", ()),
    "conditions": ("choices", CONDITION_IDS),
    "likely": ("choices", CONDITION_IDS),
}

_OPS = ("eq", "in", "has_any", "has_finding", "gte", "lte", "is_null", "present")


class ContentError(ValueError):
    """The guidance data is broken; the message names the item."""


def _fact_kind(name: str) -> tuple[str, tuple[Any, ...]]:
    if name in DERIVED_FACTS:
        return DERIVED_FACTS[name]
    if name in BY_KEY:
        spec = BY_KEY[name]
        return spec.kind, spec.values
    raise ContentError(f"unknown fact {name!r}")


def _check_value(name: str, kind: str, allowed: tuple[Any, ...], value: Any) -> None:
    if kind in ("choice", "choices"):
        if value not in allowed:
            raise ContentError(f"{name} has no choice {value!r}")
    elif kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ContentError(f"{name} compares with a number, not {value!r}")
    elif kind == "boolean" and not isinstance(value, bool):
        raise ContentError(f"{name} compares with true or false, not {value!r}")


def compile_predicate(spec: Any) -> Predicate:
    """A fast callable for one ``when`` clause; raises :class:`ContentError` if it is wrong."""
    if not isinstance(spec, Mapping):
        raise ContentError(f"a predicate must be an object, not {spec!r}")
    if "all" in spec or "any" in spec:
        if len(spec) != 1:
            raise ContentError(f"'all' or 'any' stands alone in its object: {dict(spec)}")
        (combinator,) = spec.keys()
        parts = tuple(compile_predicate(p) for p in spec[combinator])
        return _all(parts) if combinator == "all" else _any(parts)
    if "not" in spec:
        inner = compile_predicate(spec["not"])
        return lambda facts: not inner(facts)
    name = spec.get("fact")
    ops = [op for op in spec if op != "fact"]
    if not isinstance(name, str) or len(ops) != 1 or ops[0] not in _OPS:
        raise ContentError(f"a predicate needs 'fact' and one of {', '.join(_OPS)}: {dict(spec)}")
    kind, allowed = _fact_kind(name)
    op, value = ops[0], spec[ops[0]]
    return _compile_op(name, kind, allowed, op, value)


def _compile_op(name: str, kind: str, allowed: tuple[Any, ...], op: str, value: Any) -> Predicate:
    if op in ("is_null", "present"):
        if not isinstance(value, bool):
            raise ContentError(f"{name}: {op} takes true or false")
        if op == "is_null":
            return lambda f: (name in f and f[name] is None) is value
        return lambda f: (f.get(name) not in (None, [], {})) is value
    if op == "has_finding":
        if kind != "ottawa" or value not in OTTAWA_KEYS:
            raise ContentError(f"{name}: has_finding takes one of {', '.join(OTTAWA_KEYS)}")
        return lambda f: (f.get(name) or {}).get(value) is True
    if op in ("in", "has_any"):
        if not isinstance(value, list) or not value:
            raise ContentError(f"{name}: {op} takes a non-empty list")
        for v in value:
            _check_value(name, kind, allowed, v)
        wanted = frozenset(value)
        if op == "in":
            return lambda f: f.get(name) in wanted
        if kind != "choices":
            raise ContentError(f"{name}: has_any needs a list fact")
        return lambda f: not wanted.isdisjoint(f.get(name) or ())
    _check_value(name, kind, allowed, value)
    if op == "eq":
        if value is None:  # a fact that is None never equals anything
            return lambda f: False
        return lambda f: f.get(name) == value
    if kind not in ("integer", "number"):
        raise ContentError(f"{name}: {op} needs a number fact")
    if op == "gte":
        def gte(f: Facts) -> bool:
            found = f.get(name)
            return found is not None and found >= value

        return gte

    def lte(f: Facts) -> bool:
        found = f.get(name)
        return found is not None and found <= value

    return lte


# ``all``/``any`` over a generator costs a frame per call; these loops run per request
# for every rule of the content, so they are plain loops (same short-circuit order).
def _all(parts: tuple[Predicate, ...]) -> Predicate:
    if len(parts) == 1:
        return parts[0]

    def every(facts: Facts) -> bool:
        for part in parts:
            if not part(facts):
                return False
        return True

    return every


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    if len(parts) == 1:
        return parts[0]

    def some(facts: Facts) -> bool:
        for part in parts:
            if part(facts):
                return True
        return False

    return some
