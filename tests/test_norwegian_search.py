"""Norwegian search: compound parts, closed and open compounds, æøå on any keyboard,
bokmål/nynorsk variants and synonyms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kbase import KnowledgeBase
from kbase.compounds import split
from kbase.variants import spellings

DOCS = {
    "hverdag.md": "Hverdagsrehabiliteringen gir gode resultater i hjemmetjenesten.",
    "rehab.md": "Rehabilitering etter sykehusopphold gis på korttidsavdelingen.",
    "open.md": "Kommunen trenger flere heldøgns plasser i sentrum.",
    "closed.md": "Det nye bygget får tolv heldøgnsplasser.",
    "parorende.md": "Pårørende skal få avlastning og nærmest mulig oppfølging.",
    "nynorsk.md": "Brukarane skal trene opp funksjonar i heimen.",
    "hjemmet.md": "Hjelp i hjemmet gis hele døgnet.",
    "omsorg.md": "Omsorgen for de aller eldste krever mye av tjenestene.",
    "tiltak.md": "Tiltaket gjelder kontorbygget.",
    "eldre.md": "Eldre skal kunne bo hjemme lenge.",
    "seniorer.md": "Seniorer bidrar som frivillige på dagsenteret.",
    "dispensere.md": "Trettiseks brukere har fått elektroniske medisindispensere.",
    "brukerne.md": "Brukerne av dagsenteret får skyss hver torsdag.",
    "kjerne.md": "Kjernen i arbeidet er gjerne moderne arbeidsformer.",
    "viktig.md": "Samtalen begynner med spørsmålet «Hva er viktig for deg?» hver gang.",
    "ogsaviktig.md": "Det er viktig at kontoret holder åpent for deg om kvelden.",
    "kapittel.md": "# Plan for frivillighet\n\n## Seniorsenteret\n\n"
    "Frivillige driver kafé, turgrupper og datahjelp fem dager i uka.\n\n"
    "### Åpningstider\n\nDørene er åpne fra ti til fire, også i skoleferiene.\n\n"
    "### Besøksvenn\n\nFrivillige besøker eldre som bor alene, en gang i uka.",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("no")
    for name, text in DOCS.items():
        (root / name).write_text(text + "\n", encoding="utf-8")
    with KnowledgeBase(root / "ix") as k:
        assert len(k.ingest(str(root)).added) == len(DOCS)
        yield k


def names(kb: KnowledgeBase, query: str) -> list[str]:
    return [Path(h.document.source).name for h in kb.search(query, limit=20)]


def test_splits_only_where_it_helps() -> None:
    assert split("hverdagsrehabiliteringen") == ("hverdag", "rehabiliteringen")
    assert split("demensavdeling") == ("demens", "avdeling")
    assert split("helsehuset") == ("helse", "huset")
    assert split("heldøgnsplasser") == ("heldøgns", "plasser")
    for word in ("omsorg", "tiltak", "utviklingen", "tjenestene", "innbyggere"):
        assert split(word) == (), word


def test_a_part_finds_the_compound_and_whole_words_rank_first(kb: KnowledgeBase) -> None:
    got = names(kb, "rehabilitering")
    assert got[:2] == ["rehab.md", "hverdag.md"]
    snippet = kb.search("rehabilitering", limit=5)[1].snippet
    assert snippet.startswith("**Hverdagsrehabiliteringen**")


def test_closed_and_open_compounds_find_each_other(kb: KnowledgeBase) -> None:
    assert set(names(kb, "heldøgnsplasser")) == {"open.md", "closed.md"}
    assert set(names(kb, "heldøgns plasser")) == {"open.md", "closed.md"}


def test_no_false_parts(kb: KnowledgeBase) -> None:
    assert "omsorg.md" not in names(kb, "sorg")
    assert "tiltak.md" not in names(kb, "tak")


@pytest.mark.parametrize("typed", ["parorende", "paaroerende", "pårørende"])
def test_aeoeaa_typed_any_way_ranks_as_typed_right(kb: KnowledgeBase, typed: str) -> None:
    right = kb.search("pårørende")
    got = kb.search(typed)
    assert [h.passage.passage_id for h in got] == [h.passage.passage_id for h in right]
    assert [round(h.score, 6) for h in got] == [round(h.score, 6) for h in right]


def test_naermest_finds_naermest(kb: KnowledgeBase) -> None:
    assert names(kb, "naermest") == ["parorende.md"]
    assert "nærmest" in spellings("naermest")


def test_bokmal_and_nynorsk_variants(kb: KnowledgeBase) -> None:
    assert "nynorsk.md" in names(kb, "trening i hjemmet")
    assert "hjemmet.md" in names(kb, "heimen")
    assert "nynorsk.md" in names(kb, "hjemmet")


def test_synonyms_rank_below_the_word_typed(kb: KnowledgeBase) -> None:
    got = names(kb, "eldre")
    assert got.index("eldre.md") < got.index("seniorer.md")


def test_er_nouns_find_each_form(kb: KnowledgeBase) -> None:
    # the snowball stems "-er" nouns apart: medisindispenser -> medisindispens, but
    # medisindispensere -> medisindispenser, and brukerne -> brukern
    assert "dispensere.md" in names(kb, "medisindispenser")
    assert "brukerne.md" in names(kb, "brukere")
    assert "dispensere.md" in names(kb, "brukerne")
    # words that only look like "-erne" plurals keep their own stems
    assert names(kb, "moderne") == ["kjerne.md"]
    moder = kb.search("moder")  # found only as a spelling correction, not as the same stem
    assert moder.corrected and moder.suggestion == "moderne"


def test_a_quoted_phrase_of_mostly_stop_words_stays_a_phrase(kb: KnowledgeBase) -> None:
    assert names(kb, '"hva er viktig for deg"') == ["viktig.md"]
    assert sorted(names(kb, "viktig")) == ["ogsaviktig.md", "viktig.md"]
    hit = kb.search('"hva er viktig for deg"')[0]
    assert "**viktig**" in hit.snippet


def test_a_passages_own_heading_outranks_the_chapter_above_it(kb: KnowledgeBase) -> None:
    hits = kb.search("seniorsenteret", limit=5)
    assert [h.passage.section for h in hits] == [
        "Seniorsenteret",
        "Seniorsenteret > Åpningstider",
        "Seniorsenteret > Besøksvenn",
    ]
    assert hits[0].score > 1.5 * hits[1].score  # 1.27 when the chapter counted as much


def test_relevance_on_the_judged_queries_does_not_fall() -> None:
    """bench/relevance.py, measured 2026-11-22: kbase nDCG@10 0.902 against plain Whoosh's 0.523
    (OR-grouped) and 0.409 (default). One point of slack; see docs/search.md."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from relevance import run

    scores = run()
    ours = scores["kbase"]["all"][0]
    baseline = max(scores["whoosh (OR)"]["all"][0], scores["whoosh (AND)"]["all"][0])
    assert ours >= 0.89
    assert ours >= baseline + 0.30
    assert scores["kbase"]["all"][1] >= 0.95  # Success@5
