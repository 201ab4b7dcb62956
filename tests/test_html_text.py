"""Web pages, plain text and Markdown: main content only, headings as sections, encodings."""

from __future__ import annotations

from kbase.ingest.html import extract_html
from kbase.ingest.text import extract_text
from kbase.segment import segment

PAGE = """<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8">
<title>Nytt dagsenter - Nordvik kommune</title>
<meta property="og:title" content="Nytt dagsenter for personer med demens">
<meta property="og:site_name" content="Nordvik kommune">
<meta property="article:published_time" content="2023-09-01T08:00:00+02:00">
<script>var tracking = "skal ikke indekseres";</script><style>p { color: red }</style>
</head><body>
<div class="cookie-banner"><p>Vi bruker informasjonskapsler.</p><button>Godta</button></div>
<header class="site-header"><nav><a href="/">Forside</a><a href="/helse">Helse og omsorg</a></nav></header>
<nav class="breadcrumb">Forside › Aktuelt</nav>
<main><article>
<h1>Nytt dagsenter for personer med demens</h1>
<p>Kommunen åpner et dagsenter for hjemmeboende personer med demens.</p>
<h2>Tilbud til pårørende</h2>
<p>Pårørende får tilbud om samtaler og pårørendeskole.</p>
<ul><li>Samtalegrupper hver måned</li><li>Avlastning i helgene</li></ul>
<table><tr><th>Tilbud</th><th>Dager</th></tr><tr><td>Dagsenter</td><td>5</td></tr></table>
<noscript>Slå på JavaScript</noscript>
</article><aside class="related"><h2>Relaterte lenker</h2><p>Ledige stillinger</p></aside></main>
<footer><p>Nordvik kommune, Rådhusveien 1</p></footer>
</body></html>"""


def test_web_page_main_content_only() -> None:
    ex = extract_html(PAGE.encode("utf-8"), "side.html")
    passages = segment(ex.blocks, "d", ex.title)
    assert ex.title == "Nytt dagsenter for personer med demens"
    assert ex.kommune == "Nordvik kommune"
    assert ex.year == 2023
    assert [(p.section, p.text) for p in passages] == [
        ("", "Kommunen åpner et dagsenter for hjemmeboende personer med demens."),
        (
            "Tilbud til pårørende",
            "Pårørende får tilbud om samtaler og pårørendeskole.\n"
            "Samtalegrupper hver måned\nAvlastning i helgene",
        ),
        ("Tilbud til pårørende", "Tilbud: Dagsenter; Dager: 5"),
    ]
    everything = " ".join(p.text for p in passages)
    for chrome in (
        "informasjonskapsler",
        "Forside",
        "tracking",
        "color",
        "Relaterte",
        "Rådhusveien",
        "JavaScript",
    ):
        assert chrome not in everything


def test_windows_1252_page_without_declaration_keeps_aeoeaa() -> None:
    html = (
        "<html><body><main><h1>Pårørende</h1><p>Økt støtte til pårørende.</p></main></body></html>"
    )
    ex = extract_html(html.encode("cp1252"), "gammel.html")
    assert [b.text for b in ex.blocks] == ["Pårørende", "Økt støtte til pårørende."]
    assert ex.warnings == ["encoding guessed as windows-1252"]


def test_declared_latin1_is_used() -> None:
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Sjukeheimen får nye rom.</p></body></html>'
    ex = extract_html(html.encode("latin-1"), "nn.html")
    assert [b.text for b in ex.blocks] == ["Sjukeheimen får nye rom."]
    assert ex.warnings == []


def test_markdown_headings_bullets_and_inline_markup() -> None:
    md = (
        "# Handlingsplan for seniorkraft\n\nKommunen vil **styrke** seniorfrivilligheten.\n\n"
        "## Tiltak\n\n- Seniorvenner i alle bygder\n- Møteplass på [seniorsenteret](https://x.no)\n\n"
        "Frister\n-------\n\nTiltakene skal være gjennomført i 2026.\n"
    )
    ex = extract_text(md.encode("utf-8"), "plan.md")
    passages = segment(ex.blocks, "d", ex.title)
    assert ex.title == "Handlingsplan for seniorkraft"
    assert [(p.section, p.text) for p in passages] == [
        ("", "Kommunen vil styrke seniorfrivilligheten."),
        ("Tiltak", "Seniorvenner i alle bygder\nMøteplass på seniorsenteret"),
        ("Frister", "Tiltakene skal være gjennomført i 2026."),
    ]


def test_plain_text_utf16_with_bom_and_nynorsk() -> None:
    text = "Heimetenesta\n============\n\nTenesta skal gje hjelp i heimen.\n"
    ex = extract_text(text.encode("utf-16"), "heim.txt")
    assert [(b.kind, b.text) for b in ex.blocks] == [
        ("heading", "Heimetenesta"),
        ("paragraph", "Tenesta skal gje hjelp i heimen."),
    ]
