"""Fail when a user-facing string has no Chinese translation, or the catalogue is stale.

It re-extracts the strings from the code (GNU gettext's xgettext, via makemessages, into a
scratch copy) and checks that every msgid is translated in locale/zh_Hans.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def untranslated(po_path: Path) -> list[str]:
    catalogue = polib.pofile(str(po_path))
    return [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and ("fuzzy" in entry.flags or not entry.translated())
    ]


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "node_modules"),
        )
        env = {**os.environ, "DEBUG": "1"}
        for domain, extra in (("django", []), ("djangojs", ["--ignore=static/vendor"])):
            subprocess.run(
                [sys.executable, "manage.py", "makemessages", "-d", domain, "-l", "zh_Hans",
                 "--no-obsolete", "--ignore=var", *extra],
                cwd=copy, env=env, check=True, capture_output=True,
            )
        for po_path in sorted((copy / "locale" / "zh_Hans" / "LC_MESSAGES").glob("*.po")):
            for msgid in untranslated(po_path):
                problems.append(f"{po_path.name}: no Chinese translation for {msgid!r}")
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} strings lack a Chinese translation: run `make messages` and translate them.")
        return 1
    print("Every user-facing string has its Chinese translation.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
