"""The distribution installs one import package, ankle_intake, and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from casebook import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("ankle_intake-*.whl")
    return found


def test_the_wheel_holds_only_ankle_intake(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"ankle_intake", next(t for t in tops if t.endswith(".dist-info"))}
    assert "ankle_intake/forms/vocabulary.py" in names
    assert "ankle_intake/guidance/data/conditions.json" in names
    assert "ankle_intake/py.typed" in names
    assert not any(n.startswith(("forms/", "guidance/", "plugin/", "reports/", "tests/"))
                   for n in names)


def test_an_installed_copy_assesses_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True,
        capture_output=True,
    )
    assert sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info")) == [
        "ankle_intake"
    ]
    code = (
        "import json, ankle_intake;"
        "r = ankle_intake.assess({'side': 'left', 'onset': 'sudden', 'pain_now': 2,"
        " 'pain_locations': ['outer_ankle'], 'assessment_date': '2026-03-02'});"
        "print(json.dumps([ankle_intake.__file__, r['conditions'][0]['id']]))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True,
                          capture_output=True, text=True)
    path, top = json.loads(done.stdout)
    assert path.startswith(str(site)) and top == "ankle_sprain"
