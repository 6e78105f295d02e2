#!/usr/bin/env bash
# Create .venv and install dvcq into it at the versions the suite passed on: requirements.lock (runtime)
# or, with the extra "test", requirements-test.lock (runtime and test tools), every file checked against
# its hash; then dvcq itself, editable, without dependencies. Idempotent: installs again only when the
# lock or pyproject.toml changed (the stamp keeps their digest). The lock is upgraded by one command,
# `bash scripts/upgrade-lock.sh` (README.md, "Locked environment").
# Usage: source-free; call as `bash scripts/setup.sh [test]`.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
case "$extra" in
  "") lock=requirements.lock ;;
  test) lock=requirements-test.lock ;;
  *) echo "setup.sh: không có nhóm cài đặt '$extra' (chỉ có: test)" >&2; exit 2 ;;
esac
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.dvcq-installed${extra:+-$extra}"
digest="$(cat "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$digest" ]; then
  # -qq: errors only (no mirror or build warnings)
  .venv/bin/python -m pip install -qq --disable-pip-version-check --require-hashes -r "$lock"
  .venv/bin/python -m pip install -qq --disable-pip-version-check --no-deps -e .
  echo "$digest" > "$stamp"
fi
