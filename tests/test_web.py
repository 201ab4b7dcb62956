"""The search page through Flask's test client: every page and endpoint, escaping, safety."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator

import pytest
from conftest import CORPUS

from kbase import KnowledgeBase
from kbase.web import create_app

HOSTILE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Farlig side</title><meta property="og:title" content="Omsorg <b onmouseover=alert(1)>fet</b>">
</head><body><main><h1>Farlig side</h1>
<p>Teksten nevner &lt;script&gt;alert("stjel")&lt;/script&gt; og &lt;img src=x onerror=alert(2)&gt; om demensomsorg, der ventetiden er &lt; 3 uker &amp; "kort".</p>
<p><a href="javascript:alert(3)">Trykk her</a> for demensplanen.</p>
<script>alert("kjører")</script><noscript>Slå på skript</noscript>
</main></body></html>"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    root = tmp_path_factory.mktemp("web")
    shutil.copytree(CORPUS, root / "corpus")
    (root / "corpus" / "farlig.html").write_text(HOSTILE, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with KnowledgeBase(root / "ix") as kb:
            assert not kb.ingest("corpus").failed
            app = create_app(kb)
            app.testing = True
            yield app.test_client()
    finally:
        os.chdir(cwd)


def _pids(html: str) -> list[str]:
    return re.findall(r'href="/passasjer/([^"]+)"', html)


def test_start_page_helps(client) -> None:
    r = client.get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert '<label for="q">Søk i planene</label>' in html
    assert 'href="/?veivalg=trygge-overganger"' in html and '<html lang="nb">' in html


def test_search_page_shows_hits_with_marks_chips_and_facets(client) -> None:
    html = client.get("/?q=korttidsplasser").get_data(as_text=True)
    assert "treff" in html and "<mark>" in html
    assert 'class="chip veivalg">Sentraliserte tjenester til spesielle behov</li>' in html
    assert "<h2>Veivalg</h2>" in html and "<h2>Dokumenttype</h2>" in html and "<h2>År</h2>" in html
    # a facet link adds its filter to the URL; the filtered page marks it chosen
    link = re.search(r'href="(/\?q=korttidsplasser&amp;veivalg=[^"]+)"', html).group(1)
    filtered = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'class="chosen" aria-current="true"' in filtered


def test_filters_combine_and_paging_and_grouping(client) -> None:
    both = client.get("/?q=helsehus&type=temaplan&år=2024").get_data(as_text=True)
    assert "Pressemelding" not in re.sub(r"<aside.*?</aside>", "", both, flags=re.S)
    page1 = _pids(client.get("/?q=kommunen").get_data(as_text=True))
    page2 = _pids(client.get("/?q=kommunen&side=2").get_data(as_text=True))
    assert len(page1) == 10 and page2 and not set(page1) & set(page2)
    grouped = client.get("/?q=helsehus&by_doc=1").get_data(as_text=True)
    assert "6 dokumenter ·" in grouped and len(_pids(grouped)) == 6


def test_correction_and_empty_and_bad_query(client) -> None:
    html = client.get("/?q=velferdsteknolgi").get_data(as_text=True)
    assert "Viser resultater for «<strong>velferdsteknologi</strong>»" in html
    none = client.get("/?q=xylofonorkester").get_data(as_text=True)
    assert "Ingen treff" in none
    bad = client.get("/?q=og")
    assert bad.status_code == 400 and "no searchable words" in bad.get_data(as_text=True)


def test_passage_page_with_context_citation_evidence_and_source(client) -> None:
    pid = _pids(client.get('/?q="fast koordinator"').get_data(as_text=True))[0]
    html = client.get(f"/passasjer/{pid}").get_data(as_text=True)
    assert (
        "Fjordvik kommune: Temaplan for helse og omsorg 2024–2035 (2024), s. 5, «Trygge overganger»"
        in html
    )
    assert "Forrige passasje" in html and "Neste passasje" in html
    assert "koordinerende enhet" in html and "+ overskriften" in html
    assert 'id="cite-text"' in html and 'id="cite-md"' in html
    source = re.search(r'href="(/dokumenter/[^"]+/fil)#page=5"', html).group(1)
    pdf = client.get(source)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_documents_page_and_json_endpoints(client) -> None:
    html = client.get("/dokumenter").get_data(as_text=True)
    assert "7 dokumenter" in html and "Temaplan for helse og omsorg 2024–2035" in html
    docs = client.get("/api/documents").get_json()
    assert len(docs) == 7 and set(docs[0]) >= {"doc_id", "title", "passages", "veivalg", "themes"}
    res = client.get(
        "/api/search?q=demens&veivalg=sentraliserte-tjenester-til-spesielle-behov"
    ).get_json()
    assert res["total"] > 0 and all(
        "sentraliserte-tjenester-til-spesielle-behov" in h["veivalg"] for h in res["hits"]
    )
    pid = res["hits"][0]["passage_id"]
    one = client.get(f"/api/passages/{pid}").get_json()
    assert one["passage_id"] == pid and one["citation"] == res["hits"][0]["citation"]
    assert client.get("/api/passages/ukjent").status_code == 404
    assert client.get("/api/search?q=og").status_code == 400


def test_document_text_is_escaped_everywhere(client) -> None:
    html = client.get("/?q=demensomsorg").get_data(as_text=True)
    # markup written as text on the page is not indexed at all; other text is escaped
    assert "stjel" not in html and "onerror" not in html
    assert "ventetiden er &lt; 3 uker &amp; &#34;kort&#34;" in html
    assert "<b onmouseover" not in html
    pid = [p for p in _pids(html) if p.startswith("farlig")][0]
    page = client.get(f"/passasjer/{pid}").get_data(as_text=True)
    assert "<script>alert" not in page and "onerror" not in page
    assert "ventetiden er &lt; 3 uker &amp; &#34;kort&#34;" in page
    api = client.get(f"/api/passages/{pid}").get_json()
    assert "kjører" not in api["text"] and "Slå på skript" not in api["text"]
    r = client.get("/")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]


def test_only_indexed_files_are_served(client) -> None:
    assert client.get("/dokumenter/ukjent/fil").status_code == 404
    assert client.get("/dokumenter/..%2F..%2Fetc%2Fpasswd/fil").status_code == 404
    assert client.get("/passasjer/finnes-ikke").status_code == 404


def test_the_page_never_writes(client) -> None:
    for path in ("/", "/api/search", "/dokumenter"):
        assert client.post(path).status_code == 405
