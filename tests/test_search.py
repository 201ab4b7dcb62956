"""Search over the sample corpus: ranking, filters, facets, phrases, paging, suggestions."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, HIT_FIELDS

from kbase import KnowledgeBase, QuerySyntaxError, UnknownIdError


@pytest.fixture(scope="module")
def corpus_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, root / "corpus")
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        with KnowledgeBase(root / "ix") as kb:
            report = kb.ingest("corpus")
            assert report.failed == [] and len(report.added) == 6
            yield kb
    finally:
        os.chdir(cwd)


PLAN = "Temaplan for helse og omsorg 2024–2035"


def test_stemmed_word_finds_the_passage_with_page_section_and_citation(
    corpus_kb: KnowledgeBase,
) -> None:
    res = corpus_kb.search("hverdagsrehabiliteringen", doc_type="temaplan")
    top = res[0].to_dict()
    assert top["title"] == PLAN
    assert (top["page"], top["section"]) == (5, "Veivalg > Tilrettelegge for mestring")
    assert top["citation"] == (
        "Fjordvik kommune: Temaplan for helse og omsorg 2024–2035 (2024), s. 5, "
        "«Tilrettelegge for mestring»"
    )
    assert "**hverdagsrehabilitering" in top["snippet"].lower()
    assert res.total >= 4


def test_hit_json_has_every_contract_field(corpus_kb: KnowledgeBase) -> None:
    hit = corpus_kb.search("demensavdeling")[0].to_dict()
    assert list(hit) == HIT_FIELDS
    assert hit["rank"] == 1 and isinstance(hit["score"], float)
    assert hit["source"].startswith("corpus/fjordvik/")


def test_all_words_rank_before_partial_matches(corpus_kb: KnowledgeBase) -> None:
    res = corpus_kb.search("hva sier planen om pårørende og avlastning?", limit=20)
    first = res[0].passage.text.lower()
    assert "pårørende" in first and "avlastning" in first
    # passages with only one of the words still follow
    assert any("avlastning" not in h.passage.text.lower() for h in res)


def test_table_row_answers_a_question(corpus_kb: KnowledgeBase) -> None:
    hit = corpus_kb.search("hvor mange korttidsplasser har vi", doc_type="temaplan")[0]
    assert hit.passage.text.startswith("Innbyggere 80 år og eldre: 612;")
    assert "Korttidsplasser: 14" in hit.passage.text
    who = corpus_kb.search("ansvar digitalt tilsyn")[0]
    assert "Ansvar: Leder hjemmetjenesten" in who.passage.text


def test_phrase_query(corpus_kb: KnowledgeBase) -> None:
    res = corpus_kb.search('"under samme tak"')
    assert res.total == 2
    assert all("under samme tak" in h.passage.text for h in res)


def test_or_not_and_prefix(corpus_kb: KnowledgeBase) -> None:
    both = corpus_kb.search("demensavdeling OR frisklivssentral").total
    assert both > corpus_kb.search("demensavdeling").total
    no_press = corpus_kb.search("helsehus NOT ordfører")
    assert all("ordfører" not in h.passage.text.lower() for h in no_press)
    # a compound after NOT is excluded whole, not only from the first field it expands to
    no_emergency = corpus_kb.search("demens NOT legevakt", limit=50)
    assert 0 < no_emergency.total < corpus_kb.search("demens").total
    assert all("legevakt" not in h.passage.text.lower() for h in no_emergency)
    assert corpus_kb.search("velferdstek*").total >= 2


def test_filters_from_options_and_query_words(corpus_kb: KnowledgeBase) -> None:
    press = corpus_kb.search("helsehus", doc_type="pressemelding")
    assert press.total >= 1 and {h.document.doc_type for h in press} == {"pressemelding"}
    assert corpus_kb.search("helsehus type:pressemelding").total == press.total
    later = corpus_kb.search("helsehus år:2025..2026", limit=50)
    assert later.total > 0 and all(2025 <= h.document.year <= 2026 for h in later)
    in_2024 = corpus_kb.search("helsehus", year=2024, limit=50)
    assert in_2024.total > 0 and all(h.document.year == 2024 for h in in_2024)
    assert in_2024.total + later.total == corpus_kb.search("helsehus").total
    assert corpus_kb.search("helsehus kommune:fjordvik").total == corpus_kb.search("helsehus").total
    assert corpus_kb.search("helsehus", kommune="Sørvik").total == 0


def test_facets_count_all_matches(corpus_kb: KnowledgeBase) -> None:
    res = corpus_kb.search("helsehus", limit=1)
    assert len(res) == 1
    # the minutes have no document type, so they count under no doc_type key
    every = corpus_kb.search("helsehus", limit=100)
    untyped = sum(1 for h in every if h.document.doc_type is None)
    assert untyped == 1
    assert sum(res.facets["doc_type"].values()) == res.total - untyped
    assert set(res.facets["doc_type"]) == {
        "temaplan",
        "pressemelding",
        "presentasjon",
        "saksframlegg",
    }
    assert res.facets["kommune"] == {"Fjordvik": res.total}


def test_facets_equal_the_tags_of_every_hit_for_narrow_and_broad_queries(
    corpus_kb: KnowledgeBase,
) -> None:
    """Facets count every match, whether few passages match (counted from the matches) or
    many (counted over a mask of all passages): GIVEN a narrow and a broad query THEN each
    facet holds, for each value, the number of hits that carry it."""
    from collections import Counter

    size = corpus_kb._store.searcher().doc_count_all()  # passages and document records
    for query in ("helsehus", "kommunen OR og OR i"):
        res = corpus_kb.search(query, limit=1000)
        assert len(res.hits) == res.total
        assert (res.total * 5 > size) == (query != "helsehus")
        expected = {
            "veivalg": Counter(v for h in res.hits for v in h.passage.veivalg),
            "themes": Counter(t for h in res.hits for t in h.passage.themes),
            "kommune": Counter(h.document.kommune for h in res.hits if h.document.kommune),
            "doc_type": Counter(h.document.doc_type for h in res.hits if h.document.doc_type),
            "year": Counter(str(h.document.year) for h in res.hits if h.document.year),
        }
        assert {name: dict(counts) for name, counts in expected.items()} == res.facets, query


def test_paging_is_consistent(corpus_kb: KnowledgeBase) -> None:
    whole = [h.passage.passage_id for h in corpus_kb.search("kommunen", limit=12)]
    pages = [
        h.passage.passage_id
        for off in (0, 4, 8)
        for h in corpus_kb.search("kommunen", limit=4, offset=off)
    ]
    assert pages == whole
    assert [h.rank for h in corpus_kb.search("kommunen", limit=4, offset=4)] == [5, 6, 7, 8]


def test_by_document_groups_hits(corpus_kb: KnowledgeBase) -> None:
    docs = {h.document.doc_id for h in corpus_kb.search("helsehus", limit=100)}
    res = corpus_kb.search("helsehus", by_document=True)
    assert res.total == len(docs) == 6
    assert {h.document.doc_id for h in res} == docs and len(res) == 6


def test_suggestion_and_fallback_for_a_typo(corpus_kb: KnowledgeBase) -> None:
    res = corpus_kb.search("velferdsteknolgi")
    assert res.suggestion == "velferdsteknologi"
    assert res.corrected and res.total >= 2
    assert corpus_kb.search("velferdsteknologi").suggestion is None


def test_query_errors_are_kbase_errors(corpus_kb: KnowledgeBase) -> None:
    with pytest.raises(QuerySyntaxError, match="no searchable words"):
        corpus_kb.search("og i på")
    with pytest.raises(QuerySyntaxError, match="empty"):
        corpus_kb.search("   ")
    with pytest.raises(QuerySyntaxError, match="year"):
        corpus_kb.search("helsehus år:snart")
    with pytest.raises(UnknownIdError):
        corpus_kb.passage("finnes-ikke:0000")


def test_filter_only_query_lists_passages(corpus_kb: KnowledgeBase) -> None:
    res = corpus_kb.search("type:pressemelding", limit=50)
    assert res.total == corpus_kb.document(res[0].document.doc_id).passages


def test_context_of_a_passage(corpus_kb: KnowledgeBase) -> None:
    hit = corpus_kb.search('"koordinerende enhet skal sørge for"')[0]
    before, after = corpus_kb.context(hit.passage.passage_id)
    assert before is not None and after is not None
    assert after.text.startswith("Utskrivning fra sykehuset")


def test_reopened_index_answers_the_same(corpus_kb: KnowledgeBase, tmp_path: Path) -> None:
    with KnowledgeBase(corpus_kb.path) as again:
        assert [h.passage.passage_id for h in again.search("demens")] == [
            h.passage.passage_id for h in corpus_kb.search("demens")
        ]


def _two_segments(tmp_path: Path) -> KnowledgeBase:
    """The sample corpus, then one note changed and ingested again: two segments, with the
    note's old passages deleted from the first."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    notes = tmp_path / "corpus" / "fjordvik" / "referat-eldreradet-2025.md"
    kb = KnowledgeBase(tmp_path / "ix")
    kb.ingest(tmp_path / "corpus")
    notes.write_text(
        notes.read_text(encoding="utf-8") + "\n\nEldrerådet ba om trygge overganger for "
        "personer med demens, og om flere møteplasser for pårørende.\n",
        encoding="utf-8",
    )
    assert len(kb.ingest(tmp_path / "corpus").updated) == 1
    return kb


def test_match_sets_equal_whooshs_across_segments_with_deletions(tmp_path: Path) -> None:
    """The total and the facets come from set algebra over posting lists, not from Whoosh's
    matcher: GIVEN an index of two segments where a replaced document left deleted passages
    THEN every kind of query matches exactly the passages Whoosh finds (and AND NOT exactly
    the first set without the second, which Whoosh's own matcher can miss at a block edge)."""
    from whoosh.query import AndNot

    from kbase.index.docsets import DocSets
    from kbase.index.vectors import Vectors
    from kbase.search import build_query

    with _two_segments(tmp_path) as kb:
        store = kb._store
        s = store.searcher()
        assert len(list(s.reader().leaf_readers())) == 2 and s.reader().has_deletions()
        sets = DocSets(s)
        queries = [
            "demens",
            "hjemmetjenesten",
            "demens pårørende",
            "demens OR legevakt",
            "velferdsteknologi NOT sykehjem",
            '"trygge overganger"',
            "hverdagsrehab*",
            "eldrerådet møteplasser",
        ]
        vectors = Vectors(s)
        for text in queries:
            strict, relaxed, _ = build_query(store, text)
            for q in (strict, relaxed):
                assert sets.matches(q) == set(s.docs_for_query(q)), text
                assert sets.matches(q), text
                scored = vectors.scored(q)  # the score vectors leave deleted passages out too
                if scored is not None:
                    assert set(np.flatnonzero(scored.mask).tolist()) == sets.matches(q), text
        strict, _, _ = build_query(store, "demens ANDNOT pårørende")
        assert isinstance(strict, AndNot)
        expected = set(s.docs_for_query(strict.a)) - set(s.docs_for_query(strict.b))
        assert sets.matches(strict) == expected and expected


def test_phrase_search_counts_every_match_past_the_first_page(tmp_path: Path) -> None:
    """A phrase query counts its matches in the same pass that ranks them: GIVEN 30 notes
    about dementia, each with a phrase "trygge overganger", and 30 brief minutes that only
    mention dementia THEN the total of the phrase, and of a word with the phrase, is every
    passage Whoosh finds, beyond the 20 that the ranking pass keeps."""
    from whoosh.query import Term

    from kbase.search import build_query

    folder = tmp_path / "notater"
    folder.mkdir()
    for i in range(30):
        text = [f"# Notat {i + 1}", f"Demensteamet besøkte {i + 3} familier i sone {i % 4}."]
        if i % 3 == 0:
            text.append(f"Vi arbeider for trygge overganger fra sykehuset, sak {i}.")
        else:
            text.append(f"Demens krever tett oppfølging av pårørende, sak {i}.")
        text.append(f"## Møte {i}\n\nTrygge overganger og demens var tema på møte {i}.")
        (folder / f"notat-{i:02}.md").write_text("\n\n".join(text), encoding="utf-8")
        # read after the notes above: passages that only the weaker half of the query finds,
        # which a ranking pass may prune once its top 20 are strong enough
        brief = f"Kort referat {i}: dagtilbudet for personer med demens holder åpent i sommer."
        (folder / f"referat-{i:02}.md").write_text(brief, encoding="utf-8")
    with KnowledgeBase(tmp_path / "ix") as kb:
        kb.ingest(folder)
        store = kb._store
        s = store.searcher()
        passages = set(s.docs_for_query(Term("kind", "passage")))
        for text in ('demens "trygge overganger"', '"trygge overganger"'):
            _, relaxed, _ = build_query(store, text)
            expected = len(set(s.docs_for_query(relaxed)) & passages)
            assert expected > 20
            assert kb.search(text, limit=5).total == expected, text


def test_posting_lists_read_whole_equal_whooshs_matcher(tmp_path: Path) -> None:
    """kbase parses a term's posting blocks itself (`read_blocks`), skipping the positions when
    a search needs none: GIVEN 700 passages whose words fill several blocks of 128 postings,
    with frequencies all 1, all 2 and mixed, words in one, three and most passages, and a
    deleted passage THEN the passages, weights and positions are exactly what Whoosh's own
    matcher reads."""
    import random

    from whoosh import fields, index

    from kbase.index.postings import read_blocks

    schema = fields.Schema(body=fields.TEXT(phrase=True), key=fields.ID(unique=True))
    ix = index.create_in(str(tmp_path), schema)
    rng = random.Random(5)
    with ix.writer() as w:
        for i in range(700):
            words = ["omsorg"] * (1 + i % 3) + ["demens", "demens", "helse"]
            words += ["pårørende"] * (i % 5 > 0) + ["legevakt"] * (i in (3, 300, 600))
            words += ["søknad"] * (i == 42) + rng.choices(
                ["og", "i", "tjenester"], k=rng.randint(0, 9)
            )
            rng.shuffle(words)
            w.add_document(body=" ".join(words), key=f"p{i}")
    with ix.writer() as w:
        w.delete_by_term("key", "p130")
    with ix.searcher() as s:
        (leaf, _), *more = s.reader().leaf_readers()
        assert not more and leaf.has_deletions()
        for word in ["omsorg", "demens", "helse", "pårørende", "legevakt", "søknad"]:
            m = leaf.postings("body", word)
            expected = []
            while m.is_active():
                expected.append((m.id(), m.weight(), m.value()))
                m.next()
            ids, weights, encoded = read_blocks(leaf, "body", word, values=True)
            assert encoded is not None
            blob, starts, ends = encoded
            values = [blob[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
            assert list(zip(ids.tolist(), weights.tolist(), values, strict=True)) == expected
            ids, weights, values = read_blocks(leaf, "body", word, values=False)
            assert [(i, w) for i, w, _ in expected] == list(
                zip(ids.tolist(), weights.tolist(), strict=True)
            )
            assert values is None
            if word in ("omsorg", "demens", "helse"):  # in every passage but the deleted one
                assert len(ids) == 699 and 130 not in ids.tolist()


def test_packed_postings_equal_whooshs_across_segments_with_deletions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each commit writes a packed copy of its segment's postings (kbase.index.packed) that
    searches read instead of Whoosh's blocks: GIVEN two segments, the first with deleted
    passages THEN each segment has its packed file, and for every term of every field the
    passages and weights read from it, and in the phrase fields every position, are exactly
    what Whoosh's own matcher reads."""
    from kbase.index.packed import find_term, packed, read_positions, read_postings
    from kbase.index.vectors import Vectors
    from kbase.search import build_query

    monkeypatch.setattr("kbase.index.store.PACK_FROM", 0)  # the corpus's segments are small
    with _two_segments(tmp_path) as kb:
        s = kb._store.searcher()
        leaves = [leaf for leaf, _ in s.reader().leaf_readers()]
        assert len(leaves) == 2 and leaves[0].has_deletions()
        assert sorted(p.name for p in (tmp_path / "ix").glob("*.kbp")) == sorted(
            leaf._segment.make_filename(".kbp") for leaf in leaves
        )
        terms = 0
        for leaf in leaves:
            pack = packed(leaf)
            assert pack is not None
            for (field, text), info in leaf._terms.items():
                positional = field in ("text", "words")
                m = leaf.postings(field, text)
                expected = []
                while m.is_active():
                    places = list(m.value_as("positions")) if positional else []
                    expected.append((m.id(), m.weight(), places))
                    m.next()
                # every term is in the packed file: no lookup in Whoosh's term file
                found = find_term(leaf, field, text)
                assert found is not None and found.t is not None, (field, text)
                assert found.doc_frequency == info.doc_frequency(), (field, text)
                ids, weights = read_postings(leaf, field, text)
                assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == [
                    (i, w) for i, w, _ in expected
                ], (field, text)
                if positional:
                    keys = read_positions(leaf, field, text, ids)
                    assert [(k >> 32, k & 0xFFFFFFFF) for k in keys.tolist()] == [
                        (i, p) for i, _, places in expected for p in places
                    ], (field, text)
                terms += 1
            assert pack.find("text", b"ikke-et-ord") is None
        assert terms > 2000
        # and the scores from them are Whoosh's BM25F
        vectors = Vectors(s)
        for query in ['"trygge overganger"', "demens pårørende", "omsorg OR legevakt"]:
            strict, _, _ = build_query(kb._store, query)
            scored = vectors.scored(strict)
            assert scored is not None
            theirs = {h.docnum: h.score for h in s.search(strict, limit=None)}
            assert theirs and set(np.flatnonzero(scored.mask).tolist()) == set(theirs)
            for docnum, score in theirs.items():
                assert scored.score[docnum] == pytest.approx(score, rel=1e-12), query
        assert kb.check()["problems"] == [] and kb.check()["notes"] == []


def test_search_reads_whooshs_blocks_where_a_packed_file_is_missing_or_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packed files only speed searches up: GIVEN two segments, one packed file deleted and
    the other cut in half (as a crash or a full disk might leave them), and a half-written
    one left behind THEN searches find the same passages with the same scores and totals,
    `check` notes the two slower segments, and the next ingest, even one that finds nothing
    new, packs both again and removes the half-written file."""
    from kbase.index.packed import packed

    monkeypatch.setattr("kbase.index.store.PACK_FROM", 0)  # the corpus's segments are small
    queries = ['"trygge overganger"', "demens pårørende", "møteplasser OR legevakt", "omsorg"]
    ix = tmp_path / "ix"
    with _two_segments(tmp_path) as kb:
        before = {}
        for text in queries:
            res = kb.search(text, limit=50)
            before[text] = (res.total, [(h.passage.passage_id, h.score) for h in res.hits])
    first, second = sorted(ix.glob("*.kbp"), key=lambda p: p.stat().st_mtime)
    first.unlink()
    second.write_bytes(second.read_bytes()[: second.stat().st_size // 2])
    leftover = ix / f".{second.name}.999.tmp"
    leftover.write_bytes(b"KBPACK01")
    with KnowledgeBase(ix) as kb:
        s = kb._store.searcher()
        assert [packed(leaf) for leaf, _ in s.reader().leaf_readers()] == [None, None]
        for text in queries:
            res = kb.search(text, limit=50)
            assert before[text] == (
                res.total,
                [(h.passage.passage_id, pytest.approx(h.score, rel=1e-12)) for h in res.hits],
            ), text
        assert before['"trygge overganger"'][0] >= 2
        report = kb.check()
        assert report["problems"] == [] and len(report["notes"]) == 2
        assert len(kb.ingest(tmp_path / "corpus").unchanged) == 6
        s = kb._store.searcher()
        leaves = [leaf for leaf, _ in s.reader().leaf_readers()]
        assert len(leaves) == 2 and all(packed(leaf) is not None for leaf in leaves)
        assert not leftover.exists() and kb.check()["notes"] == []
        assert kb._store.pack_missing() is False


def test_vector_scores_equal_whooshs_bm25f(corpus_kb: KnowledgeBase) -> None:
    """Searches score every match at once with numpy (kbase.index.vectors): for words, AND,
    OR, NOT, AND NOT and phrases the passages matched and their scores are Whoosh's own
    BM25F (a phrase scores the sum of its words' scores where they stand in order)."""
    from whoosh.query import Phrase

    from kbase.index.vectors import Vectors
    from kbase.search import build_query

    store = corpus_kb._store
    s = store.searcher()
    vectors = Vectors(s)
    for text in [
        "hverdagsrehabilitering",
        "demens pårørende",
        "demensavdeling OR frisklivssentral",
        "helsehus NOT ordfører",
        "demens NOT legevakt",
        "eldre omsorg seniorer",
        "heimetenester",
        '"trygge overganger"',
        '"hva er viktig for deg"',
        'pårørende "personer med demens"',
        '"pårørende til personer med demens"',
    ]:
        strict, relaxed, _ = build_query(store, text)
        for q in (strict, relaxed):
            scored = vectors.scored(q)
            assert scored is not None, text
            theirs = {h.docnum: h.score for h in s.search(q, limit=None)}
            assert theirs, text
            assert set(np.flatnonzero(scored.mask).tolist()) == set(theirs), text
            for docnum, score in theirs.items():
                assert scored.score[docnum] == pytest.approx(score, rel=1e-12), text
    # a phrase with slop (which kbase's own queries never have) is left to Whoosh
    assert vectors.scored(Phrase("text", ["trygg", "overgang"], slop=3)) is None


def test_phrase_matches_words_in_order_when_they_occur_more_than_once(tmp_path: Path) -> None:
    """A phrase matches where its words stand one right after the other, also in passages
    that hold each word several times (read from the full list of positions, not the fast
    path for a word that occurs once): GIVEN four notes THEN "trygge overganger" finds the two
    that have the words in that order, with Whoosh's own matches and scores."""
    from kbase.index.vectors import Vectors
    from kbase.search import build_query

    notes = {
        "a": "Trygge overganger krever trygge rutiner og gode overganger mellom tjenestene.",
        "b": "Overganger som er trygge gir trygge hjem for pasientene.",
        "c": "Trygge og gode overganger, trygge overganger og faste kontaktpersoner.",
        "d": "Trygge rom, trygge hjem og planlagte overganger for eldre.",
    }
    folder = tmp_path / "notater"
    folder.mkdir()
    for name, text in notes.items():
        (folder / f"{name}.md").write_text(f"# Notat {name}\n\n{text}\n", encoding="utf-8")
    with KnowledgeBase(tmp_path / "ix") as kb:
        kb.ingest(folder)
        found = kb.search('"trygge overganger"')
        assert sorted(Path(h.document.source).name for h in found.hits) == ["a.md", "c.md"]
        store = kb._store
        s = store.searcher()
        strict, _, _ = build_query(store, '"trygge overganger"')
        scored = Vectors(s).scored(strict)
        assert scored is not None
        theirs = {h.docnum: h.score for h in s.search(strict, limit=None)}
        assert set(np.flatnonzero(scored.mask).tolist()) == set(theirs)
        for docnum, score in theirs.items():
            assert scored.score[docnum] == pytest.approx(score, rel=1e-12)


def test_search_of_an_empty_index_finds_nothing(tmp_path: Path) -> None:
    """A new, empty index answers every kind of query with no hits, a total of 0 and empty
    facets (the score vectors have no passages to cover)."""
    with KnowledgeBase(tmp_path / "ix") as kb:
        for text in ["demens", "demens pårørende", '"trygge overganger"', "hjem*"]:
            res = kb.search(text, year="2020..2024")
            assert (res.total, res.hits) == (0, [])
            assert all(values == {} for values in res.facets.values())


def test_snippet_keeps_context_around_marked_words_and_compound_parts() -> None:
    """A snippet is up to two fragments of about 240 characters around the matched words,
    with 80 characters of context (twice that after a match at the very start), marked
    **word**, compounds marked by the part the query matched, and an ellipsis where text is
    left out: GIVEN a passage of five sentences THEN the snippets of two queries read so."""
    from kbase.analysis import norwegian_analyzer
    from kbase.search import make_snippet

    text = (
        "Hverdagsrehabilitering gir eldre som bor hjemme mulighet til å mestre hverdagen selv. "
        "Teamet består av ergoterapeut, fysioterapeut og hjemmesykepleier, og de jobber tett "
        "sammen med brukeren i en periode på fire til seks uker. Målet settes av brukeren selv: "
        "hva er viktig for deg? Etter perioden evalueres tiltaket, og mange trenger mindre "
        "hjemmetjenester enn før. Kommunen vil utvide rehabiliteringen til alle soner innen 2027."
    )

    def terms(query: str) -> set[str]:
        return {t.text for t in norwegian_analyzer()(query)}

    assert make_snippet(text, terms("rehabilitering")) == (
        "**Hverdagsrehabilitering** gir eldre som bor hjemme mulighet til å mestre hverdagen "
        "selv. Teamet består av ergoterapeut, fysioterapeut og hjemmesykepleier, og de jobber "
        "tett sammen med brukeren … tiltaket, og mange trenger mindre hjemmetjenester enn før. "
        "Kommunen vil utvide **rehabiliteringen** til alle soner innen 2027."
    )
    assert make_snippet(text, terms("brukeren hjemmetjenester")) == (
        "… av ergoterapeut, fysioterapeut og hjemmesykepleier, og de jobber tett sammen med "
        "**brukeren** i en periode på fire til seks uker. Målet settes av **brukeren** selv: "
        "hva er viktig for deg? Etter perioden evalueres tiltaket, og mange trenger mindre "
        "**hjemmetjenester** enn før. Kommunen vil utvide rehabiliteringen til alle soner "
        "innen 2027."
    )


def test_kbase_writer_writes_the_postings_whooshs_writer_writes(tmp_path: Path) -> None:
    """kbase's writer analyses each word once, not token by token through Whoosh's filters,
    reads the field lengths for the postings column by column, not byte by byte, and fills
    each block of postings in one piece, not posting by posting: GIVEN the same 300 passages
    (bokmål and nynorsk, stop words first and last, compounds, numbers; common terms in three
    blocks of up to 128) written by Whoosh's writer and by kbase's THEN every term's
    statistics and posting bytes (with each block's header and length bytes) are the
    same."""
    from whoosh.writing import SegmentWriter

    from kbase.index.postings import _posting_bytes
    from kbase.index.store import IndexStore, KbaseWriter
    from kbase.model import Document, Passage

    words = (
        "Og i planperioden skal hverdagsrehabiliteringen styrkes for 1 250 brukere, det er "
        "64,5 % av dem. Eg meiner heimetenestene og pårørandestøtta må sjåast i saman med "
        "demensomsorgen på sjukeheimen. Trygge overganger fra sykehuset er viktig for oss."
    ).split()
    passages = [
        Passage(
            passage_id=f"plan:{i:04}",
            doc_id="plan",
            text=" ".join(words[j % len(words)] for j in range(i, i + 3 + i % 17)) + ".",
            section=f"Kapittel {i // 10} > Del {i}",
            page=i // 3 + 1,
            order=i,
        )
        for i in range(300)
    ]
    doc = Document(
        doc_id="plan",
        title="Plan for helse og omsorg",
        kommune="Fjordvik",
        doc_type="temaplan",
        year=2025,
        source="plan.pdf",
        url=None,
        sha256="0" * 64,
        pages=20,
        passages=len(passages),
        ingested_at="2026-11-23T00:00:00+00:00",
    )
    written = []
    for writer in (SegmentWriter, KbaseWriter):
        store = IndexStore(tmp_path / writer.__name__)
        w = writer(store.ix)
        store.add_document(w, doc, passages)
        w.commit()
        ((leaf, _),) = store.searcher().reader().leaf_readers()
        terms = []
        for fieldname, text in leaf.all_terms():
            info = leaf.term_info(fieldname, text)
            stats = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
            )
            terms.append((fieldname, text, stats, _posting_bytes(leaf, info), info._inlined))
        written.append(terms)
        store.close()
    assert len(written[0]) > 100
    assert max(stats[1] for _, _, stats, _, _ in written[0]) > 256  # three blocks
    assert written[0] == written[1]


def test_only_fields_analysed_as_kbase_analyses_take_the_writers_word_path() -> None:
    """GIVEN kbase's schema THEN its text and ID fields take the word-by-word path, and its
    numeric fields (an ID tokenizer too, but their own way of indexing) do not; GIVEN fields
    with another analyzer or format THEN Whoosh analyses them."""
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import NUMERIC, TEXT, Schema

    from kbase.analysis import norwegian_analyzer
    from kbase.index.schema import build_schema
    from kbase.index.store import fast_postings

    assert sorted(fast_postings(build_schema())) == [
        "doc_id",
        "doc_type",
        "heading",
        "kind",
        "kommune",
        "kommune_key",
        "parts",
        "passage_id",
        "path",
        "text",
        "title",
        "words",
    ]
    other = Schema(
        english=TEXT(analyzer=StandardAnalyzer()),
        unphrased=TEXT(analyzer=norwegian_analyzer(), phrase=False),
        year=NUMERIC(),
        text=TEXT(analyzer=norwegian_analyzer()),
    )
    assert sorted(fast_postings(other)) == ["text"]
    postings = fast_postings(other)["text"]("Og i hjemmet, hjemmet")
    assert [(t, n, w) for t, n, w, _ in postings] == [(b"hjemm", 2, 2.0)]
    assert other["text"].format.decode_positions(postings[0][3]) == [2, 3]
