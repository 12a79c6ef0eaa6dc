"""The distribution installs one import package, ankle_intake, and nothing else."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from casebook import install_and_run


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
    code = (
        "import json, ankle_intake;"
        "r = ankle_intake.assess({'side': 'left', 'onset': 'sudden', 'pain_now': 2,"
        " 'pain_locations': ['outer_ankle'], 'assessment_date': '2026-03-02'});"
        "print(json.dumps([ankle_intake.__file__, r['conditions'][0]['id']]))"
    )
    site, printed = install_and_run(wheel, tmp_path, code)
    assert sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info")) == [
        "ankle_intake"
    ]
    path, top = json.loads(printed)
    assert path.startswith(str(site)) and top == "ankle_sprain"
