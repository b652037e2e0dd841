#!/usr/bin/env bash
# Rebuild migrations/versions/0001 from the models on an empty SQLite database.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/0001_initial_schema.py
DATABASE_URL="sqlite:///$tmp/schema.db" .venv/bin/flask --app wsgi db migrate -m "initial schema" --rev-id 0001 >/dev/null
DATABASE_URL="sqlite:///$tmp/schema.db" .venv/bin/flask --app wsgi db upgrade >/dev/null
DATABASE_URL="sqlite:///$tmp/schema.db" .venv/bin/flask --app wsgi db check
