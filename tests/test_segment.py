"""Passage boundaries and ids."""

from __future__ import annotations

from kbase.ingest.clean import join_lines
from kbase.model import Block
from kbase.segment import MAX_WORDS, make_doc_id, segment, slugify


def test_passages_never_cross_pages_or_sections() -> None:
    blocks = [
        Block("heading", "Demens", 1, 1),
        Block("paragraph", "Kort avsnitt om demens.", 1),
        Block("paragraph", "Fortsetter på neste side.", 2),
        Block("heading", "Pårørende", 2, 1),
        Block("paragraph", "Kort avsnitt om pårørende.", 2),
    ]
    got = [(p.page, p.section, p.text) for p in segment(blocks, "d")]
    assert got == [
        (1, "Demens", "Kort avsnitt om demens."),
        (2, "Demens", "Fortsetter på neste side."),
        (2, "Pårørende", "Kort avsnitt om pårørende."),
    ]


def test_short_bullets_merge_and_long_paragraphs_stand_alone() -> None:
    long_para = " ".join(["Kommunen satser på hverdagsrehabilitering i alle soner."] * 8)
    blocks = [
        Block("paragraph", "Tiltakene er:", 3),
        Block("bullet", "Digitalt tilsyn", 3),
        Block("bullet", "Medisindispensere", 3),
        Block("paragraph", long_para, 3),
    ]
    got = [p.text for p in segment(blocks, "d")]
    assert got == ["Tiltakene er:\nDigitalt tilsyn\nMedisindispensere", long_para]


def test_very_long_paragraph_is_split_at_sentence_ends() -> None:
    sentence = (
        "Helsehuset samler korttidsplasser, rehabilitering og demensavdeling under samme tak."
    )
    text = " ".join([sentence] * 40)  # 400 words
    passages = segment([Block("paragraph", text, 1)], "d")
    assert len(passages) == 3
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert all(p.text.endswith("tak.") for p in passages)
    assert " ".join(p.text for p in passages) == text


def test_ids_depend_on_text_not_position() -> None:
    a = [Block("heading", "Mål", 1, 1), Block("paragraph", "Alle skal få hjelp i hjemmet.", 1)]
    b = [Block("heading", "Innledning", 1, 1), Block("paragraph", "Ny innledning her.", 1), *a]
    ids_a = {p.text: p.passage_id for p in segment(a, "doc")}
    ids_b = {p.text: p.passage_id for p in segment(b, "doc")}
    assert ids_b["Alle skal få hjelp i hjemmet."] == ids_a["Alle skal få hjelp i hjemmet."]
    assert ids_a["Alle skal få hjelp i hjemmet."].startswith("doc:")


def test_duplicate_passages_get_distinct_ids() -> None:
    blocks = [Block("paragraph", "Se tabell.", 1), Block("paragraph", "Se tabell.", 2)]
    ids = [p.passage_id for p in segment(blocks, "d")]
    assert len(set(ids)) == 2


def test_doc_id_and_slug() -> None:
    assert (
        slugify("Temaplan for helse og omsorg – Ærøy Ås") == "temaplan-for-helse-og-omsorg-aeroy-as"
    )
    assert make_doc_id("plan", "corpus/a/plan.pdf") == make_doc_id("plan", "corpus/a/plan.pdf")
    assert make_doc_id("plan", "corpus/a/plan.pdf") != make_doc_id("plan", "corpus/b/plan.pdf")


def test_join_lines_hyphenation_rules() -> None:
    assert join_lines(["utvik-", "lingen"]) == "utviklingen"
    assert join_lines(["helse-", "og omsorgstjenester"]) == "helse- og omsorgstjenester"
    assert join_lines(["OU-", "prosess"]) == "OU-prosess"
    assert join_lines(["covid-", "19"]) == "covid-19"
    assert join_lines(["Nord-", "Norge"]) == "Nord-Norge"
