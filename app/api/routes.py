"""Imports every API module so that its routes and OpenAPI paths are registered."""

import importlib

for _module in ("resources", "reservations", "inquiries", "network", "lending"):
    try:
        importlib.import_module(f"app.api.{_module}")
    except ModuleNotFoundError as error:
        if error.name != f"app.api.{_module}":
            raise
