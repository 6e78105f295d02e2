#!/usr/bin/env bash
# Upgrade the lock files to the newest versions pyproject.toml allows: requirements-test.lock (runtime
# and test tools) and requirements.lock (runtime, at the same versions), with hashes, valid on every
# platform for Python >= 3.11. `bash scripts/upgrade-lock.sh` upgrades everything; with package names
# (`bash scripts/upgrade-lock.sh polars duckdb`) only those and what they need. Run the whole suite on
# the result (`bash scripts/test.sh`, which installs the new lock) before committing it.
# The lock is made by uv (`uv pip compile`), kept in .venv-lock/ at the version below.
set -euo pipefail
cd "$(dirname "$0")/.."
uv_version=0.13.8
uv=.venv-lock/bin/uv
if [ ! -x "$uv" ] || [ "$("$uv" --version | cut -d' ' -f2)" != "$uv_version" ]; then
  python3 -m venv .venv-lock
  .venv-lock/bin/python -m pip install -qq --disable-pip-version-check "uv==$uv_version"
fi
upgrade=(--upgrade)
if [ "$#" -gt 0 ]; then
  upgrade=()
  for package in "$@"; do upgrade+=(--upgrade-package "$package"); done
fi
# pip itself is locked too (read from standard input: "-"), so setup.sh installs nothing unpinned
# but the build backend of dvcq's own editable install.
compile() {
  echo pip | "$uv" pip compile --quiet pyproject.toml - --universal --python-version 3.11 --generate-hashes \
    --custom-compile-command "bash scripts/upgrade-lock.sh" "$@"
}
compile --extra test "${upgrade[@]}" -o requirements-test.lock
compile -c requirements-test.lock -o requirements.lock
echo "Đã cập nhật requirements-test.lock và requirements.lock; chạy bash scripts/test.sh trước khi commit."
