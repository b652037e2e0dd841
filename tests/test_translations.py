"""Every string in the code and templates is in the catalogue, and German has them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [
    ("app/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def source_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add(msgid)
    return found


def catalogue(locale: str):
    path = ROOT / "app" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def test_every_string_has_a_german_translation():
    german = catalogue("de")
    missing = sorted(
        msgid
        for msgid in source_messages()
        if (message := german.get(msgid)) is None or not message.string or message.fuzzy
    )
    assert not missing, f"{len(missing)} strings without German translation, e.g. {missing[:15]}"


@pytest.mark.parametrize("locale", ["de", "en"])
def test_placeholders_survive_translation(locale):
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    for message in catalogue(locale):
        if message.id and message.string and isinstance(message.id, str):
            assert sorted(placeholder.findall(message.id)) == sorted(
                placeholder.findall(message.string)
            ), f"placeholders differ in {message.id!r}"
