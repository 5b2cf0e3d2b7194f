"""Shared fixtures. The tests import the installed ``vmengine`` (test.sh installs the wheel into
a fresh virtual environment); they read the repository's examples/data and README.md."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import CAPTURE

import vmengine


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def db(db_path: Path) -> Iterator[vmengine.Db]:
    with vmengine.open(db_path, retention="100y") as d:
        yield d


@pytest.fixture(scope="session")
def capture_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[vmengine.Db]:
    """A db holding the real node_exporter capture (imported once per test session)."""
    if not CAPTURE.exists():
        pytest.fail(f"the capture {CAPTURE} is missing")
    path = tmp_path_factory.mktemp("capture") / "db"
    with vmengine.open(path, retention="10y") as d:
        res = d.import_prometheus(CAPTURE, strict=True)
        assert res.rows.rows_added == 608_400, res
        d.flush()
        yield d
