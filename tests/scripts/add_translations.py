"""Merge German (or English) translations into a catalogue, under a lock.

    python tests/scripts/add_translations.py de path/to/translations.json

The JSON maps each English msgid to its translation. Entries are added even before
`make messages` extracts them; existing entries are overwritten.
"""

from __future__ import annotations

import fcntl
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]


def main(locale: str, source: str) -> None:
    mapping: dict[str, str] = json.loads(Path(source).read_text(encoding="utf-8"))
    po_path = ROOT / "app" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with open(ROOT / "app" / "translations" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(po_path, "rb") as handle:
            catalog = read_po(handle, locale=locale)
        for msgid, msgstr in mapping.items():
            message = catalog.get(msgid)
            if message is None:
                catalog.add(msgid, msgstr)
            else:
                message.string = msgstr
                message.flags.discard("fuzzy")
        with open(po_path, "wb") as handle:
            write_po(
                handle, catalog, width=0, omit_header=False, no_location=True, sort_output=True
            )
    print(f"{len(mapping)} translations merged into {po_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
