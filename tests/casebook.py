"""Shared test helpers: the shared vignettes and a minimal valid intake."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

VIGNETTE_DATE = dt.date(2026, 3, 2)
REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ANKLE_INTAKE_SHARED", REPO.parent / "shared"))
CASES_FILE = SHARED / "vignettes" / "cases.json"
EXAMINATION_FILE = SHARED / "vignettes" / "examination.json"
ARTICLE_FILE = SHARED / "source-article.txt"


def vignette_cases(path: Path = CASES_FILE) -> list[dict[str, Any]]:
    """The shared worked cases, or none where ``../shared`` is not beside the checkout."""
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def vignette_answers(case: dict[str, Any]) -> dict[str, Any]:
    """A case's answers in contract form: ``injury_days_ago`` becomes ``injury_date``."""
    answers = dict(case["answers"])
    days = answers.pop("injury_days_ago", None)
    answers["assessment_date"] = VIGNETTE_DATE.isoformat()
    if days is not None:
        answers["injury_date"] = (VIGNETTE_DATE - dt.timedelta(days=days)).isoformat()
    return answers


def intake(**overrides: Any) -> dict[str, Any]:
    """A minimal valid intake (a gradual, painless ache), changed by ``overrides``."""
    answers: dict[str, Any] = {
        "side": "left",
        "onset": "gradual",
        "pain_locations": ["outer_ankle"],
        "pain_now": 0,
        "assessment_date": VIGNETTE_DATE.isoformat(),
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not ...}


def days_ago(n: int) -> str:
    return (VIGNETTE_DATE - dt.timedelta(days=n)).isoformat()


def build_wheel(out: Path) -> Path:
    """The project's wheel, built into ``out`` the way pip builds it for a user."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("ankle_intake-*.whl")
    return found


def install_and_run(wheel: Path, folder: Path, code: str) -> tuple[Path, str]:
    """Install ``wheel`` into ``folder/site`` and run ``code`` from ``folder`` against it.

    Returns the site folder and what the code printed.
    """
    site = folder / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, check=True,
                          capture_output=True, text=True)
    return site, done.stdout


def casebook_cases() -> list[dict[str, Any]]:
    """The project's own casebook (``tests/casebook_cases.json``), in the vignettes' format."""
    path = Path(__file__).resolve().with_name("casebook_cases.json")
    return json.loads(path.read_text(encoding="utf-8"))
