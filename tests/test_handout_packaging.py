"""The wheel carries the handout's font and content files, and an installed copy prints."""

from __future__ import annotations

import zipfile
from pathlib import Path

from casebook import install_and_run


def test_the_wheel_ships_fonts_licence_and_handout_content(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf", "fonts/LICENSE"):
        assert f"ankle_intake/reports/{name}" in names
    assert "ankle_intake/guidance/data/handout.json" in names


def test_an_installed_copy_renders_a_handout(wheel: Path, tmp_path: Path) -> None:
    code = (
        "import ankle_intake;"
        "pdf = ankle_intake.render_handout({'side': 'left', 'onset': 'gradual', 'pain_now': 1,"
        " 'pain_locations': ['outer_ankle'], 'assessment_date': '2026-03-02',"
        " 'patient_name': 'Nguyễn'});"
        "print(ankle_intake.__file__, pdf[:5].decode())"
    )
    site, printed = install_and_run(wheel, tmp_path, code)
    path, magic = printed.split()
    assert path.startswith(str(site)) and magic == "%PDF-"
