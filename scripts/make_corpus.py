"""Generate the sample corpus in corpus/ from the text in corpus_text.py.

Run from the repository root: python scripts/make_corpus.py
Needs reportlab (in the `test` extra). Output is byte-for-byte reproducible.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus_text as ct  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

VOWELS = set("aeiouyæøå")


def hyphen_split(word: str, room: float, font: str, size: float) -> tuple[str, str] | None:
    """Split a long word so that its head plus '-' fits in `room`, between two consonants."""
    if len(word) < 9 or "-" in word or not word.isalpha():
        return None
    best = None
    for i in range(4, len(word) - 3):
        a, b = word[i - 1].lower(), word[i].lower()
        if a not in VOWELS and b not in VOWELS and word[i + 1].lower() in VOWELS:
            if stringWidth(word[:i] + "-", font, size) <= room:
                best = i
    return (word[:best] + "-", word[best:]) if best else None


def wrap(text: str, width: float, font: str, size: float, hyphenate: bool = True) -> list[str]:
    """Greedy line breaking, hyphenating long words at line ends as a typesetter would."""
    lines: list[str] = []
    line = ""
    words = text.split()
    i = 0
    while i < len(words):
        word = words[i]
        trial = f"{line} {word}" if line else word
        if stringWidth(trial, font, size) <= width:
            line = trial
            i += 1
            continue
        room = width - stringWidth(line + " ", font, size) if line else width
        split = hyphen_split(word, room, font, size) if hyphenate else None
        if split:
            lines.append(f"{line} {split[0]}" if line else split[0])
            words[i] = split[1]
            line = ""
            continue
        if line:
            lines.append(line)
            line = ""
        else:  # a single word longer than the line
            lines.append(word)
            i += 1
    if line:
        lines.append(line)
    return lines


class Layout:
    """A4 pages with a running header, a page-number footer and flowing content."""

    W, H = A4
    LEFT, RIGHT, TOP, BOTTOM = 85, 85, 90, 80

    def __init__(self, path: Path, title: str, author: str, subject: str) -> None:
        self.c = Canvas(str(path), pagesize=A4, invariant=1)
        self.c.setTitle(title)
        self.c.setAuthor(author)
        self.c.setSubject(subject)
        self.page = 1
        self.y = self.H - self.TOP
        self.width = self.W - self.LEFT - self.RIGHT

    def cover(self, items: list[tuple[str, str]]) -> None:
        y = self.H - 260
        for kind, text in items:
            font, size = {
                "title": ("Helvetica-Bold", 28),
                "subtitle": ("Helvetica-Bold", 22),
                "cover": ("Helvetica", 13),
            }[kind]
            self.c.setFont(font, size)
            self.c.drawString(self.LEFT, y, text)
            y -= size * 1.8
        self.new_page()

    def chrome(self) -> None:
        self.c.setFont("Helvetica", 8)
        self.c.drawString(self.LEFT, self.H - 45, ct.RUNNING_HEADER)
        self.c.line(self.LEFT, self.H - 50, self.W - self.RIGHT, self.H - 50)
        self.c.drawRightString(self.W - self.RIGHT, 40, f"Side {self.page}")

    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1
        self.y = self.H - self.TOP
        self.chrome()

    def need(self, height: float) -> None:
        if self.y - height < self.BOTTOM:
            self.new_page()

    def heading(self, text: str, size: float) -> None:
        self.need(size * 4)
        self.y -= size * 0.8
        self.c.setFont("Helvetica-Bold", size)
        self.c.drawString(self.LEFT, self.y, text)
        self.y -= size * 1.1

    def paragraph(self, text: str, indent: float = 0, bullet: bool = False) -> None:
        size, lead = 11, 15
        lines = wrap(text, self.width - indent - (12 if bullet else 0), "Helvetica", size)
        for n, line in enumerate(lines):
            self.need(lead)
            self.c.setFont("Helvetica", size)
            x = self.LEFT + indent
            if bullet:
                if n == 0:
                    self.c.drawString(x, self.y, "•")
                x += 12
            self.c.drawString(x, self.y, line)
            self.y -= lead
        self.y -= 6

    def table(self, rows: list[list[str]], shares: list[float] | None = None) -> None:
        size, lead, pad = 8.5, 11, 4
        ncols = len(rows[0])
        shares = shares or [1 / ncols] * ncols
        widths = [self.width * s for s in shares]
        lefts = [self.LEFT + sum(widths[:c]) for c in range(ncols)] + [self.LEFT + self.width]
        wrapped = [
            [
                wrap(
                    cell,
                    widths[c] - 2 * pad,
                    "Helvetica-Bold" if r == 0 else "Helvetica",
                    size,
                    False,
                )
                for c, cell in enumerate(row)
            ]
            for r, row in enumerate(rows)
        ]
        heights = [max(len(c) for c in row) * lead + 2 * pad for row in wrapped]
        self.need(sum(heights) + 10)
        top = self.y + lead - 2
        y = top
        for r, row in enumerate(wrapped):
            for c, cell in enumerate(row):
                self.c.setFont("Helvetica-Bold" if r == 0 else "Helvetica", size)
                for k, line in enumerate(cell):
                    self.c.drawString(lefts[c] + pad, y - pad - (k + 1) * lead + 3, line)
            y -= heights[r]
        # ruled grid, so the table reads as a table
        yy = top
        self.c.line(self.LEFT, yy, self.LEFT + self.width, yy)
        for h in heights:
            yy -= h
            self.c.line(self.LEFT, yy, self.LEFT + self.width, yy)
        for x in lefts:
            self.c.line(x, top, x, yy)
        self.y = yy - 18

    def save(self) -> None:
        self.c.save()


def make_plan(path: Path) -> None:
    doc = Layout(path, ct.TITLE, ct.KOMMUNE, "Kommunal temaplan for helse- og omsorgstjenestene")
    doc.cover(ct.COVER)
    for kind, content in ct.PLAN:
        if kind == "h1":
            doc.heading(content, 16)
        elif kind == "h2":
            doc.heading(content, 12.5)
        elif kind == "p":
            doc.paragraph(content)
        elif kind == "ul":
            for item in content:
                doc.paragraph(item, indent=10, bullet=True)
        elif kind == "table":
            doc.table(
                content,
                [0.31, 0.22, 0.2, 0.09, 0.18]
                if len(content[0]) == 5 and content[0][0] == "Tiltak"
                else None,
            )
        elif kind == "page":
            doc.new_page()
    doc.save()


def make_press_release(path: Path) -> None:
    pr = ct.PRESS_RELEASE
    body = []
    for kind, text in pr["body"]:
        tag = "h2" if kind == "h2" else "p"
        body.append(f"        <{tag}>{html.escape(text)}</{tag}>")
    contacts = "\n".join(
        f"          <li><strong>{html.escape(role)}:</strong> {html.escape(name)}, tlf. {phone}</li>"
        for role, name, phone in pr["contact"]
    )
    page = f"""<!DOCTYPE html>
<html lang="nb">
<head>
  <meta charset="utf-8">
  <title>{html.escape(pr["title"])} - Fjordvik kommune</title>
  <meta property="og:title" content="{html.escape(pr["title"])}">
  <meta property="og:site_name" content="Fjordvik kommune">
  <meta property="article:published_time" content="{pr["date"]}">
  <meta name="description" content="{html.escape(pr["lead"])}">
  <link rel="stylesheet" href="/assets/site.css">
  <script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
  <style>.cookie-banner {{ position: fixed; bottom: 0; }}</style>
</head>
<body>
  <a class="skip-link" href="#innhold">Hopp til hovedinnhold</a>
  <div id="cookie-consent" class="cookie-banner">
    <p>Vi bruker informasjonskapsler for å forbedre nettstedet. Les mer om personvern.</p>
    <button>Godta alle</button> <button>Bare nødvendige</button>
  </div>
  <header class="site-header">
    <a href="/"><img src="/logo.svg" alt="Fjordvik kommune"></a>
    <nav class="main-menu" aria-label="Hovedmeny">
      <ul>
        <li><a href="/helse-og-omsorg/">Helse og omsorg</a></li>
        <li><a href="/barnehage-og-skole/">Barnehage og skole</a></li>
        <li><a href="/plan-og-bygg/">Plan, bygg og eiendom</a></li>
        <li><a href="/politikk/">Politikk og innsyn</a></li>
      </ul>
    </nav>
    <form class="search-box" action="/sok"><input name="q" placeholder="Søk"><button>Søk</button></form>
  </header>
  <nav class="breadcrumb" aria-label="Brødsmuler">
    <a href="/">Forside</a> › <a href="/aktuelt/">Aktuelt</a> › Pressemelding
  </nav>
  <main id="innhold">
    <article>
      <header>
        <p class="label">Pressemelding</p>
        <h1>{html.escape(pr["title"])}</h1>
        <p class="published">Publisert <time datetime="{pr["date"]}">13.06.2024</time></p>
      </header>
      <p class="lead">{html.escape(pr["lead"])}</p>
{chr(10).join(body)}
      <section class="contact">
        <h2>Kontaktpersoner</h2>
        <ul>
{contacts}
        </ul>
      </section>
      <div class="share">Del på Facebook · Del på LinkedIn · Skriv ut</div>
    </article>
    <aside class="related">
      <h2>Relaterte lenker</h2>
      <ul><li><a href="/temaplan-helse">Temaplan for helse og omsorg</a></li>
      <li><a href="/ledige-stillinger">Ledige stillinger</a></li></ul>
    </aside>
  </main>
  <footer class="site-footer">
    <p>Fjordvik kommune · Rådhusgata 1, 6900 Fjordvik · Sentralbord 57 00 00 00</p>
    <p><a href="/personvern">Personvern</a> · <a href="/tilgjengelighet">Tilgjengelighetserklæring</a></p>
  </footer>
  <script src="/assets/analytics.js"></script>
  <script>document.querySelector('.cookie-banner button').onclick = function(){{}};</script>
</body>
</html>
"""
    path.write_text(page, encoding="utf-8")


def make_deck(path: Path) -> None:
    """A 16:9 deck with a title slide, bullet slides, a key-figures table, notes and footers."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    prs.core_properties.title = ct.DECK_TITLE
    prs.core_properties.author = ct.KOMMUNE
    for number, (title, bullets, table, notes) in enumerate(ct.DECK, start=1):
        layout = prs.slide_layouts[0 if number == 1 else (5 if table else 1)]
        slide = prs.slides.add_slide(layout)
        # the default template is 4:3: place the placeholders for 16:9 ourselves
        head = slide.shapes.title
        head.text = title
        head.left, head.width = Inches(0.5), prs.slide_width - Inches(1)
        head.top, head.height = (
            (Inches(2.0), Inches(1.6)) if number == 1 else (Inches(0.4), Inches(1.2))
        )
        if bullets:
            body = slide.placeholders[1]
            body.left, body.width = Inches(0.7), prs.slide_width - Inches(1.4)
            body.top, body.height = (
                (Inches(4.0), Inches(1.6)) if number == 1 else (Inches(1.8), Inches(4.8))
            )
            body.text_frame.text = bullets[0]
            for item in bullets[1:]:
                body.text_frame.add_paragraph().text = item
        if table:
            shape = slide.shapes.add_table(
                len(table),
                len(table[0]),
                Inches(0.7),
                Inches(2.2),
                prs.slide_width - Inches(1.4),
                Inches(1.6),
            )
            for r, row in enumerate(table):
                for c, value in enumerate(row):
                    shape.table.cell(r, c).text = value
                    shape.table.cell(r, c).text_frame.paragraphs[0].runs[0].font.size = Pt(20)
        if number > 1:  # slide footers, as most municipal templates have them
            foot = slide.shapes.add_textbox(Inches(0.5), Inches(6.9), Inches(4), Inches(0.4))
            foot.text_frame.text = "Fjordvik kommune"
            num = slide.shapes.add_textbox(Inches(12.3), Inches(6.9), Inches(0.6), Inches(0.4))
            num.text_frame.text = str(number)
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    prs.save(str(path))


def export_pdf(source: Path) -> None:
    """The PDF export of a deck, as municipalities publish them (needs LibreOffice)."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print(f"no LibreOffice: kept the committed {source.with_suffix('.pdf').name}")
        return
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(source.parent), str(source)],
        check=True,
        capture_output=True,
    )


def make_saksframlegg(path: Path) -> None:
    from docx import Document

    sak = ct.SAK
    doc = Document()
    doc.core_properties.title = sak["title"]
    doc.core_properties.author = ct.KOMMUNE
    doc.add_paragraph("Saksframlegg")
    meta = doc.add_table(rows=0, cols=2)
    for key, value in sak["meta"]:
        cells = meta.add_row().cells
        cells[0].text, cells[1].text = key, value
    doc.add_paragraph(sak["title"], style="Title")
    for kind, content in sak["sections"]:
        if kind == "h1":
            doc.add_heading(content, level=1)
        elif kind == "h2":
            doc.add_heading(content, level=2)
        elif kind == "p":
            doc.add_paragraph(content)
        elif kind == "ul":
            for item in content:
                doc.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            table = doc.add_table(rows=len(content), cols=len(content[0]))
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    doc.save(str(path))


def main() -> None:
    out = HERE.parent / "corpus" / "fjordvik"
    out.mkdir(parents=True, exist_ok=True)
    make_plan(out / "temaplan-helse-og-omsorg-2024-2035.pdf")
    make_press_release(out / "pressemelding-nytt-helsehus.html")
    (out / "referat-eldreradet-2025.md").write_text(ct.NOTE_MD, encoding="utf-8")
    deck = out / "presentasjon-utvalg-helse-2025.pptx"
    make_deck(deck)
    export_pdf(deck)
    make_saksframlegg(out / "saksframlegg-temaplan-helse.docx")
    print(f"wrote the sample corpus to {out}")


if __name__ == "__main__":
    main()
