#!/usr/bin/env bash
# Creates the training virtual environment at <repo>/.venv-train (gitignored) and installs
# the pinned requirements. Usage: Tools/train/install.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv-train"
python3 -m venv "$venv"
"$venv/bin/pip" install --upgrade pip >/dev/null
"$venv/bin/pip" install -r "$here/requirements.txt"
"$venv/bin/pip" install --no-deps -r "$here/requirements-nodeps.txt"
echo "installed: $venv (activate with: source $venv/bin/activate)"
