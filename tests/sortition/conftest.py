"""Fixtures for the draw engine tests: the sample pool of 600 and its quotas."""

import pytest
from sortition_support import DATA, load_pool, load_quotas


@pytest.fixture(scope="session")
def sample_pool():
    return load_pool(DATA / "city-pool-600.csv")


@pytest.fixture(scope="session")
def quotas_30():
    return load_quotas(DATA / "city-quotas-30.csv")
