"""Property tests: any query, any page and any text file gives results or a KbaseError, never
another exception."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbase import KbaseError, KnowledgeBase
from kbase.ingest.html import extract_html
from kbase.ingest.text import extract_text

QUERY_ALPHABET = st.sampled_from(
    list("abcæøåÆØÅ hjem pårørende \"'()*?^~:!-+&|/\\[]{}<>,.;0123456789\t\n")
    + ["AND", "OR", "NOT", "veivalg:", "tema:", "år:", "type:", "kommune:", "..", "\x00", "\udcff"]
)
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "plan.md").write_text(
        "# Plan for helse\n\n## Pårørende\n\nPårørende skal få avlastning i hjemmet.\n\n"
        "## Veivalg\n\nHverdagsrehabilitering og velferdsteknologi i heimen.\n",
        encoding="utf-8",
    )
    with KnowledgeBase(root / "ix") as k:
        k.ingest(root)
        yield k


@SETTINGS
@given(st.lists(QUERY_ALPHABET, max_size=12).map("".join))
def test_any_query_gives_results_or_a_kbase_error(kb: KnowledgeBase, query: str) -> None:
    try:
        results = kb.search(query, limit=3)
    except KbaseError:
        return
    assert results.total >= len(results.hits)
    for hit in results.hits:
        assert hit.passage.text


@SETTINGS
@given(st.text(max_size=200), st.sampled_from(["", "nynorsk", "2024..2030"]))
def test_any_unicode_query_with_filters(kb: KnowledgeBase, query: str, year: str) -> None:
    try:
        kb.search(query, limit=2, year=year or None)
    except KbaseError:
        pass


HTML_PIECES = st.sampled_from(
    [
        "<html>",
        "<body>",
        "<div>",
        "</div>",
        "<p>",
        "</p>",
        "<h1>",
        "</h1>",
        "<table><tr><td>",
        "</td></tr></table>",
        "<ul><li>",
        "</li></ul>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<meta charset='",
        "'>",
        "utf-8",
        "latin-1",
        "x-unknown",
        "&lt;",
        "&#0;",
        "&#xD800;",
        "&amp;",
        "Pårørende",
        "heim",
        "\x00",
        "\ufeff",
        "<![CDATA[",
        "]]>",
        "<?xml version='1.0'?>",
        "<!DOCTYPE html>",
        "<nav class='meny'>",
        "</nav>",
    ]
)


@SETTINGS
@given(st.lists(HTML_PIECES, max_size=40).map("".join), st.binary(max_size=40))
def test_any_page_reads_or_fails_with_a_kbase_error(markup: str, noise: bytes) -> None:
    for data in (
        markup.encode("utf-8", "surrogatepass"),
        markup.encode("utf-8", "replace") + noise,
    ):
        try:
            extracted = extract_html(data, "side.html")
        except KbaseError:
            continue
        for block in extracted.blocks:
            assert "<script" not in block.text.lower()


@SETTINGS
@given(st.binary(max_size=400))
def test_any_text_file_reads_or_fails_with_a_kbase_error(data: bytes) -> None:
    try:
        extracted = extract_text(data, "notat.md")
    except KbaseError:
        return
    for block in extracted.blocks:
        assert "\ufffd" not in block.text or extracted.warnings


@SETTINGS
@given(st.text(max_size=300))
def test_any_markdown_text_reads(text: str) -> None:
    try:
        extract_text(text.encode("utf-8", "surrogatepass"), Path("notat.md").name)
    except KbaseError:
        pass
