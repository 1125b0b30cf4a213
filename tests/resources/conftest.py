import pytest

from resources.library import load_library


@pytest.fixture
def library(db):
    """The shipped library, loaded as in production."""
    load_library()
