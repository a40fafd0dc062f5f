#!/bin/sh
# Idempotent: a Python venv with the pinned `openai` SDK for the compatibility suite
# (apps/compat-e2e). Prints the venv's python path on stdout (progress on stderr). Exits 3 when
# python3 (with venv) is not available, so callers can skip with that reason; other failures exit 1.
set -eu
OPENAI_VERSION=3.63.0
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.tools/python-openai"
py="$venv/bin/python"
if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 not found" >&2
  exit 3
fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "python3 has no venv/ensurepip module (Debian: apt-get install python3-venv)" >&2
  exit 3
fi
if [ -x "$py" ] && [ "$("$py" -c 'import importlib.metadata as m; print(m.version("openai"))' 2>/dev/null || true)" = "$OPENAI_VERSION" ]; then
  echo "$py"
  exit 0
fi
echo "creating $venv with openai==$OPENAI_VERSION" >&2
rm -rf "$venv"
python3 -m venv "$venv" >&2
"$py" -m pip install --quiet --disable-pip-version-check "openai==$OPENAI_VERSION" >&2
echo "$py"
