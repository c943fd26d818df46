"""Every text a user reads exists in Japanese: the catalogue covers the templates and the
Python code, keeps its placeholders, and survives ``pybabel update``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = Path(str(resources.files("econsec").joinpath("locales", "ja", "LC_MESSAGES", "messages.po")))
PERCENT = re.compile(r"%\((\w+)\)s")
BRACES = re.compile(r"\{(\w+)(?:[:!][^}]*)?\}")
#: Beyond tr and N_: the messages of input errors (econsec.errors) and of the trade loaders.
KEYWORDS = ("-k", "InputError", "-k", "FieldProblem:3", "-k", "error", "-k", "note",
            "-k", "flag:5")  # fmt: skip


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args],
                   cwd=ROOT, check=True, capture_output=True)  # fmt: skip


def test_pybabel_update_keeps_every_translation_and_finds_no_untranslated_text(
    tmp_path: Path,
) -> None:
    # Extract from the code and templates as docs/web.md says, update a copy of the catalogue,
    # and compare: nothing is lost (obsolete), nothing new is left untranslated or fuzzy.
    pot = tmp_path / "messages.pot"
    _pybabel("extract", "-F", "babel.cfg", "-k", "tr", "-k", "N_", *KEYWORDS, "-o", str(pot), "src")
    target = tmp_path / "locales" / "ja" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO, target / "messages.po")
    _pybabel("update", "-i", str(pot), "-d", str(tmp_path / "locales"), "--no-fuzzy-matching")
    with PO.open("rb") as f:
        before = {m.id: m.string for m in read_po(f) if m.id}
    with (target / "messages.po").open("rb") as f:
        updated = read_po(f)
    after = {m.id: m.string for m in updated if m.id}
    assert not [m.id for m in updated.obsolete.values() if m.id], "translations that update drops"
    assert {k: v for k, v in before.items() if after.get(k) != v} == {}
    assert [k for k, v in after.items() if not v] == [], "texts without a Japanese translation"


def test_translations_keep_their_placeholders() -> None:
    with PO.open("rb") as f:
        catalog = read_po(f)
    for m in catalog:
        if not m.id:
            continue
        assert m.string, m.id
        assert sorted(PERCENT.findall(m.id)) == sorted(PERCENT.findall(m.string)), m.id
        assert sorted(BRACES.findall(m.id)) == sorted(BRACES.findall(m.string)), m.id
        if not BRACES.search(m.id):  # newstyle gettext formats templates' messages with %
            assert "%" not in PERCENT.sub("", m.string).replace("%%", ""), m.id
