"""Shared test setup: a fixed pseudonymisation secret so no key file is written by tests."""

import pytest


@pytest.fixture(autouse=True)
def _fixed_secret(monkeypatch):
    monkeypatch.setenv("DVCQ_SECRET", "test-secret-not-for-production")
