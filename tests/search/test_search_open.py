"""open_index: the URL front door."""

from __future__ import annotations

from pathlib import Path

import pytest

from search import Index, SearchError, open_index


def test_sqlite_url_creates_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "index.sqlite"
    index = open_index(f"sqlite://{path}")
    try:
        assert isinstance(index, Index)
        assert path.exists()
        assert index.count() == 0
    finally:
        index.close()


def test_four_slashes_mean_the_same_absolute_path(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    open_index(f"sqlite:///{path}").close()
    assert path.exists()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://relative/index.sqlite",
        "sqlite:relative.sqlite",
        "sqlite:///",
        "http://localhost:9200?bogus=1",
        "http://127.0.0.1:9200?shards=many",
        "ftp://x/y",
        "",
        "/just/a/path.sqlite",
    ],
)
def test_unsupported_urls_raise_search_error(url: str) -> None:
    with pytest.raises(SearchError):
        open_index(url)
