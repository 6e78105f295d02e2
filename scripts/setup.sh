#!/usr/bin/env bash
# Create .venv and install dvcq into it (idempotent: re-runs only when pyproject.toml changed).
# Usage: source-free; call as `bash scripts/setup.sh [extra]` where extra is "test" for test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -qq --upgrade pip  # -qq: errors only (no mirror or build warnings)
fi
stamp=".venv/.dvcq-installed${extra:+-$extra}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  spec="."
  [ -n "$extra" ] && spec=".[$extra]"
  .venv/bin/python -m pip install -qq --disable-pip-version-check -e "$spec"
  touch "$stamp"
fi
