"""The locked environment: what runs the suite is what requirements-test.lock pins, and the lock covers
pyproject.toml.

Why: scripts/setup.sh used to install whatever versions were newest that day, so the suite could pass
on one machine and fail on a fresh one (polars 2.2.0 arrived that way). setup.sh now installs the lock
with hashes; these tests fail when the environment drifted from it, when pyproject.toml asks for a
package or version the lock does not hold (run scripts/upgrade-lock.sh), or when the two locks disagree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
# "name==version ; marker \" then the package's "--hash=sha256:..." lines
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)(?:\s*;\s*([^\\\n]+?))?\s*\\?\n((?:\s+--hash=sha256:[0-9a-f]{64}\s*\\?\n?)+)",
                  re.M)


def _lock(name: str) -> dict[str, tuple[str, str | None, frozenset[str]]]:
    """canonical name -> (version, marker, hashes) of a lock file."""
    text = (REPO / name).read_text(encoding="utf-8")
    pins = {canonicalize_name(m[1]): (m[2], m[3], frozenset(re.findall(r"sha256:([0-9a-f]{64})", m[4])))
            for m in _PIN.finditer(text)}
    listed = re.findall(r"^([A-Za-z0-9_.\-]+)==", text, re.M)
    assert len(pins) == len(listed), f"{name}: a pin without a hash"
    return pins


def test_the_environment_is_the_locked_one():
    pins = _lock("requirements-test.lock")
    assert {"polars", "duckdb", "streamlit", "pytest", "pip"} <= pins.keys()
    for name, (pinned, marker, _) in pins.items():
        if marker is None or Marker(marker).evaluate():
            assert version(name) == pinned, f"{name} {version(name)} installed, {pinned} locked: bash scripts/setup.sh test"


def test_the_lock_holds_every_dependency_pyproject_asks_for():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for lock, wanted in (("requirements.lock", project["dependencies"]),
                         ("requirements-test.lock", project["dependencies"] + project["optional-dependencies"]["test"])):
        pins = _lock(lock)
        for text in wanted:
            requirement = Requirement(text)
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{lock} lacks {name}: bash scripts/upgrade-lock.sh"
            assert requirement.specifier.contains(pins[name][0], prereleases=True), \
                f"{lock} pins {name} {pins[name][0]} outside {requirement.specifier}: bash scripts/upgrade-lock.sh"


def test_the_runtime_lock_is_the_test_locks_runtime_part():
    runtime, test = _lock("requirements.lock"), _lock("requirements-test.lock")
    assert runtime.keys() < test.keys()
    assert {name: test[name] for name in runtime} == runtime  # same versions, markers and hashes


def test_setup_installs_the_lock_with_hashes_and_again_when_it_changes(tmp_path):
    """scripts/setup.sh in a copy of the repository whose .venv/bin/python only writes down how it was called."""
    (tmp_path / "scripts").mkdir()
    for name in ("scripts/setup.sh", "pyproject.toml", "requirements.lock", "requirements-test.lock"):
        shutil.copy(REPO / name, tmp_path / name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "$*" >> "$(dirname "$0")/../../calls"\n', encoding="utf-8")
    python.chmod(0o755)
    calls = tmp_path / "calls"

    def setup(*extra: str) -> list[str]:
        done = subprocess.run(["bash", str(tmp_path / "scripts" / "setup.sh"), *extra], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        lines = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
        calls.unlink(missing_ok=True)
        return lines

    pip = "-m pip install -qq --disable-pip-version-check"
    installs = [f"{pip} --require-hashes -r requirements-test.lock", f"{pip} --no-deps -e ."]
    assert setup("test") == installs
    assert setup("test") == []                       # nothing changed: nothing installed
    with (tmp_path / "requirements-test.lock").open("a", encoding="utf-8") as lock:
        lock.write("# upgraded\n")
    assert setup("test") == installs                 # the lock changed: installed again
    assert setup() == [f"{pip} --require-hashes -r requirements.lock", f"{pip} --no-deps -e ."]
    done = subprocess.run(["bash", str(tmp_path / "scripts" / "setup.sh"), "tset"], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (2, "setup.sh: không có nhóm cài đặt 'tset' (chỉ có: test)\n")
