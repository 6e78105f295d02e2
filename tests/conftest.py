"""Shared test setup: a fixed pseudonymisation secret, so no key file is written by tests and
warehouses built by session- or module-scoped fixtures hash like the tests that read them."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _fixed_secret():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DVCQ_SECRET", "test-secret-not-for-production-0123456789abcdef")
        yield


@pytest.fixture(scope="session")
def template_root(tmp_path_factory):
    """Where ``tests.engine_fixtures`` keeps the empty published warehouse it copies for each test."""
    return tmp_path_factory.mktemp("template")
