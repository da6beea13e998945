import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import generate  # noqa: E402
import needles  # noqa: E402


@pytest.fixture(scope="session")
def enc():
    return generate.load_encoding()


@pytest.fixture(scope="session")
def table(enc):
    return needles.BoundaryTable(enc)


@pytest.fixture(scope="session")
def essays(enc):
    return generate.tokenize_essays(enc)


@pytest.fixture(scope="session")
def base(tmp_path_factory, essays):
    """A 300k-token essay haystack (two shuffled epochs) shared by the needle tests."""
    path = tmp_path_factory.mktemp("hay") / "base.u32"
    generate.write_haystack(path, essays, 300_000, seed=11)
    return path
