"""The wheel carries the handout's font and content files, and an installed copy prints."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from casebook import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("handout-wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True, capture_output=True,
    )
    (found,) = out.glob("ankle_intake-*.whl")
    return found


def test_the_wheel_ships_fonts_licence_and_handout_content(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf", "fonts/LICENSE"):
        assert f"ankle_intake/reports/{name}" in names
    assert "ankle_intake/guidance/data/handout.json" in names


def test_an_installed_copy_renders_a_handout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True, capture_output=True,
    )
    code = (
        "import ankle_intake;"
        "pdf = ankle_intake.render_handout({'side': 'left', 'onset': 'gradual', 'pain_now': 1,"
        " 'pain_locations': ['outer_ankle'], 'assessment_date': '2026-03-02',"
        " 'patient_name': 'Nguyễn'});"
        "print(ankle_intake.__file__, pdf[:5].decode())"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True,
                          capture_output=True, text=True)
    path, magic = done.stdout.split()
    assert path.startswith(str(site)) and magic == "%PDF-"
