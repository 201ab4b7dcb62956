"""Ingest speed and memory, end to end (extract -> passages -> tags -> index), against
pdftotext and pdfplumber's bare extract_text on the same files, measured in the same run.

Run: python bench/ingest.py [--pages 160] [--big 500] [--folder 200]
Needs poppler's pdftotext for the reference (apt-get install poppler-utils) and GNU time
(/usr/bin/time); LibreOffice, if present, exports the deck to PDF. Data is generated
with fixed seeds: a dense text PDF with embedded fonts, as plans are exported, and the same
PDF with fonts left unembedded; a 40-slide deck; a long PDF for memory; and a folder of mixed
documents for sequential against parallel ingest.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORDS = (
    "kommunen skal styrke hjemmetjenesten og hverdagsrehabilitering for eldre innbyggere med "
    "behov for tjenester pårørende avlastning demens omsorgsboliger heldøgns omsorg "
    "velferdsteknologi digitalt tilsyn legevakt koordinerende enhet frivillighet seniorsenter "
    "rekruttering sykepleiere helsefagarbeidere kompetanse budsjett økonomi tiltak planperioden "
    "samarbeid sykehuset trygge overganger forebygging folkehelse mestring"
).split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    return " ".join(words).capitalize() + "."


def dense_pdf(path: Path, pages: int, seed: int, embedded: bool = True) -> None:
    """A plan-like PDF: a heading and about 40 lines of body text per page, a table now and then.

    With `embedded`, its fonts are embedded TrueType subsets (Bitstream Vera, which reportlab
    ships), as in a plan exported from Word or a layout program; without, it uses the standard
    Helvetica that a PDF need not embed, a rarer case on which pdftotext is a third faster.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    regular, bold = ("Vera", "Vera-Bold") if embedded else ("Helvetica", "Helvetica-Bold")
    if embedded:
        import reportlab
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        fonts = Path(reportlab.__file__).parent / "fonts"
        for name, file in ((regular, "Vera.ttf"), (bold, "VeraBd.ttf")):
            pdfmetrics.registerFont(TTFont(name, str(fonts / file)))
    rng = random.Random(seed)
    sample = getSampleStyleSheet()
    heading = ParagraphStyle("heading", parent=sample["Heading2"], fontName=bold)
    body = ParagraphStyle("body", parent=sample["BodyText"], fontName=regular)
    grid = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONTNAME", (0, 0), (-1, -1), regular)]
    story = []
    for p in range(pages):
        story.append(Paragraph(f"{p + 1}. Kapittel om tjenestene", heading))
        for _ in range(5):
            story.append(Paragraph(" ".join(sentence(rng) for _ in range(5)), body))
        if p % 10 == 5:
            rows = [["Tiltak", "Ansvar", "Frist"]] + [
                [sentence(rng)[:30], "Kommunalsjef", str(2025 + i)] for i in range(4)
            ]
            story.append(Table(rows, style=grid))
        story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)


def deck(path: Path, slides: int, seed: int) -> None:
    from pptx import Presentation

    rng = random.Random(seed)
    prs = Presentation()
    for i in range(slides):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = f"Lysbilde {i + 1}: status for tjenestene"
        body = slide.placeholders[1].text_frame
        body.text = sentence(rng)
        for _ in range(4):
            body.add_paragraph().text = sentence(rng)
        slide.notes_slide.notes_text_frame.text = sentence(rng)
    prs.save(str(path))


def deck_pdf(pptx: Path, out: Path) -> bool:
    """The deck exported to PDF by LibreOffice, when it is installed."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if not office:
        return False
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(out.parent), str(pptx)],
        capture_output=True,
        timeout=300,
    )
    return out.exists()


def compiled() -> None:
    """Byte-compile kbase as a first run does on an ordinary install; where
    PYTHONDONTWRITEBYTECODE is set (this build machine), every start would otherwise compile
    kbase's modules again (about 0.05 s)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kbase")], check=True)


GNU_TIME = "/usr/bin/time"  # GNU time: its child's peak memory starts from a small process


def run(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (with children) and peak memory (MB, the largest process)."""
    report = tempfile.NamedTemporaryFile(suffix=".time", delete=False)
    report.close()
    timed = [GNU_TIME, "-f", "%e %U %S %M", "-o", report.name, *cmd]
    proc = subprocess.run(timed, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    fields = Path(report.name).read_text().split()[-4:]
    os.unlink(report.name)
    if proc.returncode != 0:  # a file kbase failed to index would make any figure wrong
        raise SystemExit(f"failed: {' '.join(cmd)}: {proc.stderr.decode()[-500:]}")
    wall, user, system, peak_kb = (float(x) for x in fields)
    return wall, user + system, peak_kb / 1024


def ingest_once(path: Path, workers: int | None = None) -> tuple[float, float, float]:
    """`kbase ingest` into a new index."""
    index = Path(tempfile.mkdtemp(prefix="kbase-bench-"))
    shutil.rmtree(index)
    cmd = [sys.executable, "-m", "kbase", "--index", str(index), "ingest", str(path)]
    if workers:
        cmd += ["--workers", str(workers)]
    try:
        return run(cmd)
    finally:
        shutil.rmtree(index, ignore_errors=True)


def kbase_ingest(path: Path, workers: int | None = None) -> tuple[float, float, float]:
    """`kbase ingest` into a new index, three times: the median run by wall time (this
    machine's timings vary by a quarter from run to run)."""
    return sorted(ingest_once(path, workers) for _ in range(3))[1]


ROUNDS = 5  # pdftotext and kbase, taking turns


def against_pdftotext(pdf: Path) -> tuple[tuple[float, ...], tuple[float, ...], list[float]]:
    """pdftotext and `kbase ingest` in turns, ROUNDS times each: pdftotext's median run, kbase's
    median run (by wall time), and each round's ratio of kbase's wall time to pdftotext's
    (the table gives their median). This machine's speed drifts by a quarter over tens of seconds; the two
    runs of one round see the same machine, so the ratio of a round is the steadier figure."""
    ours, theirs = [], []
    for _ in range(ROUNDS):
        theirs.append(run(["pdftotext", str(pdf), "-"]))
        ours.append(ingest_once(pdf))
    ratios = [o[0] / t[0] for o, t in zip(ours, theirs, strict=True)]
    return sorted(theirs)[ROUNDS // 2], sorted(ours)[ROUNDS // 2], ratios


BARE = "import sys, pdfplumber\nwith pdfplumber.open(sys.argv[1]) as pdf:\n    for p in pdf.pages:\n        p.extract_text()\n        p.close()\n"


def pdfplumber_once(pdf: Path) -> tuple[float, float, float]:
    """pdfplumber's bare extract_text, once (it takes seconds)."""
    return run([sys.executable, "-c", BARE, str(pdf)])


def folder_of(root: Path, count: int, seed: int) -> None:
    """`count` documents: a third small PDFs, a third Markdown, a third web pages."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    for i in range(count):
        kind = i % 3
        if kind == 0:
            dense_pdf(root / f"plan-{i:03}.pdf", 4, seed + i)
        elif kind == 1:
            body = "\n\n".join(
                f"## Del {k}\n\n" + " ".join(sentence(rng) for _ in range(6)) for k in range(8)
            )
            (root / f"notat-{i:03}.md").write_text(f"# Notat {i}\n\n{body}\n", encoding="utf-8")
        else:
            paras = "".join(
                f"<h2>Del {k}</h2><p>{' '.join(sentence(rng) for _ in range(6))}</p>"
                for k in range(8)
            )
            (root / f"side-{i:03}.html").write_text(
                f"<html><body><main><h1>Side {i}</h1>{paras}</main></body></html>",
                encoding="utf-8",
            )


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=160)
    ap.add_argument("--big", type=int, default=500)
    ap.add_argument("--folder", type=int, default=200)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kbase-ingest-bench-"))
    try:
        pdf = work / "temaplan.pdf"
        dense_pdf(pdf, args.pages, 1)
        pptx = work / "presentasjon.pptx"
        deck(pptx, 40, 2)
        exported = work / "presentasjon.pdf"
        has_export = deck_pdf(pptx, exported)
        plain = work / "temaplan-helvetica.pdf"  # the same plan, its fonts not embedded
        dense_pdf(plain, args.pages, 1, embedded=False)
        big = work / "lang-plan.pdf"
        dense_pdf(big, args.big, 3)
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
        compiled()

        rows = [("file", "tool", "wall s", "pages/s", "x pdftotext", "peak MB")]
        rounds = []
        for path, pages in [(pdf, args.pages), (plain, args.pages), (big, args.big)] + (
            [(exported, 40)] if has_export else []
        ):
            plumber = pdfplumber_once(path)
            if shutil.which("pdftotext"):
                theirs, ours, ratios = against_pdftotext(path)
                ratio = statistics.median(ratios)
                rounds.append(f"{path.name}: " + " ".join(f"{r:.1f}" for r in ratios))
                base = theirs[0]
                found = [("pdftotext", theirs, 1.0), ("pdfplumber extract_text", plumber, None)]
                found.append(("kbase ingest (end to end)", ours, ratio))
            else:
                base, found = 0.0, [("pdfplumber extract_text", plumber, None)]
                found.append(("kbase ingest (end to end)", kbase_ingest(path), None))
            for tool, (wall, _, peak), paired in found:
                ratio = paired if paired is not None else wall / base if base else None
                rows.append(
                    (
                        path.name,
                        tool,
                        f"{wall:.2f}",
                        f"{pages / wall:.0f}",
                        f"{ratio:.1f}" if ratio is not None else "-",
                        f"{peak:.0f}",
                    )
                )
        if rounds:
            print("kbase ingest / pdftotext, round by round:", "; ".join(rounds), "\n")
        wall, _, peak = kbase_ingest(pptx)
        rows.append(
            (
                pptx.name,
                "kbase ingest (end to end)",
                f"{wall:.2f}",
                f"{40 / wall:.0f}",
                "-",
                f"{peak:.0f}",
            )
        )
        table(rows)

        folder = work / "mappe"
        folder_of(folder, args.folder, 4)
        rows = [("folder", "workers", "wall s", "CPU s", "CPU/wall", "peak MB")]
        for workers in (1, os.cpu_count() or 1):
            wall, cpu, peak = kbase_ingest(folder, workers)
            rows.append(
                (
                    f"{args.folder} documents",
                    str(workers),
                    f"{wall:.2f}",
                    f"{cpu:.2f}",
                    f"{cpu / wall:.2f}",
                    f"{peak:.0f}",
                )
            )
        table(rows)

        rows = [("command", "wall s (median of 5)")]
        index = work / "ix"
        subprocess.run(
            [sys.executable, "-m", "kbase", "--index", str(index), "ingest", str(ROOT / "corpus")],
            capture_output=True,
        )
        exe = str(Path(sys.executable).parent / "kbase")
        for label, cmd in [
            ("kbase --help", [exe, "--help"]),
            (
                "kbase search demens (sample corpus)",
                [exe, "--index", str(index), "search", "demens"],
            ),
        ]:
            times = sorted(run(cmd)[0] for _ in range(5))
            rows.append((label, f"{times[2]:.3f}"))
        table(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
