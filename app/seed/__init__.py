"""Demo data of a small town, loaded by `flask --app wsgi seed-demo` (idempotent).

Each area seeds its own part, in this order; each part checks what exists already.
"""

from __future__ import annotations

import importlib

PARTS = ("people", "catalogue", "spaces", "history", "network")


def seed() -> list[str]:
    lines: list[str] = []
    for part in PARTS:
        try:
            module = importlib.import_module(f"app.seed.{part}")
        except ModuleNotFoundError as error:
            if error.name != f"app.seed.{part}":
                raise
            continue
        lines.extend(module.run())
    return lines or ["nothing to seed"]
