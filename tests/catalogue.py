"""A catalogue of hostile input for `kbase ingest`: broken, encrypted, scanned, huge, bombed,
mis-encoded, mis-named and unreadable files, plus a few good documents.

Run: python tests/catalogue.py OUT_FOLDER (fixed seeds: the same bytes every time).
`build(folder)` returns what kbase must do with each file: EXPECT[name] = (outcome, clue), where
outcome is "indexed", "failed" or "skipped", and clue is a word the text or reason must hold.
"""

from __future__ import annotations

import io
import os
import random
import sys
import zipfile
import zlib
from pathlib import Path

GOOD_TEXT = (
    "Kommunen skal styrke hverdagsrehabiliteringen og gi pårørende bedre avlastning. "
    "Tjenestene skal gis nærmest mulig der folk bor."
)


def raw_pdf(objects: list[bytes]) -> bytes:
    """A minimal PDF with a correct cross-reference table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def _page_pdf(content: bytes, extra: list[bytes] | None = None, xobjects: str = "") -> bytes:
    stream = zlib.compress(content)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> " + xobjects.encode() + b" >> >>",
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
            + stream
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *(extra or []),
        ]
    )


def _text_op(text: str) -> bytes:
    return f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET\n".encode("latin-1")


def _reportlab_pdf(pages: list[str], **kwargs: object) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, **kwargs)
    for text in pages:
        c.setFont("Helvetica", 11)
        c.drawString(72, 780, text)
        c.showPage()
    c.save()
    return buf.getvalue()


def _encrypted(algorithm: str, user: str, owner: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(_reportlab_pdf([f"Hemmelig plan om {algorithm} og omsorg."])))
    writer = PdfWriter()
    writer.append(reader)
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _scanned() -> bytes:
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(img).text((20, 80), "Skannet side uten tekstlag", fill=0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(img), 72, 500, width=450, height=150)
    c.showPage()
    c.save()
    return buf.getvalue()


def _inflating() -> bytes:
    """One page whose content stream inflates to 400 MB of spaces from ~400 kB."""
    z = zlib.compressobj(9)
    parts = [z.compress(_text_op("Oppblaast innholdsstrom"))]
    chunk = b" " * (1 << 20)
    parts += [z.compress(chunk) for _ in range(400)]
    parts.append(z.flush())
    stream = b"".join(parts)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
            + stream
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def _self_xobject() -> bytes:
    """A form XObject that draws itself: naive renderers recurse for ever."""
    form = b"/X1 Do\n"
    return _page_pdf(
        _text_op("Selvrefererende skjema") + b"/X1 Do\n",
        extra=[
            f"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources "
            f"<< /XObject << /X1 6 0 R >> >> /Length {len(form)} >>\nstream\n".encode()
            + form
            + b"\nendstream"
        ],
        xobjects="/XObject << /X1 6 0 R >>",
    )


def _docx(body_xml: str, doctype: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?>' + doctype + '<w:document xmlns:w="http://schemas.openxmlformats'
            '.org/wordprocessingml/2006/main"><w:body>' + body_xml + "</w:body></w:document>",
        )
    return buf.getvalue()


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _zip_bomb(kind: str) -> bytes:
    """A valid-looking Office file with a 1 GB member that packs into about 1 MB."""
    buf = io.BytesIO()
    main = "word/document.xml" if kind == "docx" else "ppt/presentation.xml"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(main, "<x/>")
        with z.open("word/media/zeros.bin" if kind == "docx" else "ppt/media/zeros.bin", "w") as f:
            block = b"\0" * (1 << 24)
            for _ in range(64):
                f.write(block)
    return buf.getvalue()


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ).replace("&lol0;", "&lol;")
    + "]>"
)
XXE = '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'

HOSTILE_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Fiendtlig side</title>
<script>var stjeler = "SKRIPTTEKST"; document.cookie;</script>
<style>body { color: STILTEKST; }</style></head>
<body onload="alert('HANDLERTEKST')">
<p>Kommunen har en plan for <a href="javascript:alert('LENKEKODE')">legevakt</a> om natta.</p>
<noscript>NOSCRIPTTEKST aktiver javascript</noscript>
<p>Eksempel i teksten: &lt;script&gt;alert('ESKAPERTKODE')&lt;/script&gt; skal ikke indekseres.</p>
<img src="x" onerror="alert('BILDEKODE')">
<p>Demensomsorgen styrkes med flere dagaktivitetsplasser.</p>
</body></html>"""

LATIN1_TEXT = "Pårørende får avlastning på Ørnes sjukeheim, sa rådmannen i Ålesund."


def build(folder: Path) -> dict[str, tuple[str, str]]:
    """Write the catalogue into `folder`; return the expectation for each file name."""
    rng = random.Random(6)
    folder.mkdir(parents=True, exist_ok=True)
    expect: dict[str, tuple[str, str]] = {}

    def put(name: str, data: bytes | str, outcome: str, clue: str) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        (folder / name).write_bytes(raw)
        expect[name] = (outcome, clue)

    good_pdf = _reportlab_pdf([GOOD_TEXT, "Side to handler om frivilligsentralen."])
    # good documents
    put("god-plan.pdf", good_pdf, "indexed", "hverdagsrehabiliteringen")
    put("god-side.html", f"<html><body><p>{GOOD_TEXT}</p></body></html>", "indexed", "avlastning")
    put("god-notat.md", f"# Notat\n\n{GOOD_TEXT}\n", "indexed", "pårørende")
    put("god-referat.docx", _docx(_para(GOOD_TEXT)), "indexed", "hverdagsrehabiliteringen")
    # broken PDFs
    put("tom.pdf", b"", "skipped", "empty")
    put("avkortet.pdf", good_pdf[: len(good_pdf) // 2], "failed", "PDF")
    put("tilfeldig.pdf", rng.randbytes(20_000), "skipped", "not a PDF")
    put("header-og-søppel.pdf", b"%PDF-1.7\n" + rng.randbytes(20_000), "failed", "PDF")
    # encrypted PDFs
    put("kryptert-rc4.pdf", _encrypted("RC4-128", "hemmelig", "eier"), "failed", "password")
    put("kryptert-aes.pdf", _encrypted("AES-256", "hemmelig", "eier"), "failed", "password")
    put("bare-eierpassord.pdf", _encrypted("AES-128", "", "eier"), "indexed", "hemmelig")
    # scanned, huge and hostile PDFs
    put("skannet.pdf", _scanned(), "failed", "no text layer")
    pages = [f"Kommunen planlegger {i + 7} omsorgsboliger i sone {i % 7}." for i in range(2000)]
    put("tusen-sider.pdf", _reportlab_pdf(pages), "indexed", "omsorgsboliger")
    put("oppblaast.pdf", _inflating(), "indexed", "oppblaast")
    put("selvreferanse.pdf", _self_xobject(), "indexed", "selvrefererende")
    # HTML
    put(
        "dyp.html",
        "<html><body>" + "<div>" * 100_000 + "Dypt nede" + "</div>" * 100_000,
        "indexed",
        "dypt",
    )
    put("fiendtlig.html", HOSTILE_HTML, "indexed", "dagaktivitetsplasser")
    latin_page = (
        f"<html><head><meta charset='iso-8859-1'></head><body><p>{LATIN1_TEXT}</p></body></html>"
    )
    put("latin1-erklaert.html", latin_page.encode("latin-1"), "indexed", "pårørende")
    no_decl = f"<html><body><p>{LATIN1_TEXT}</p></body></html>"
    put("cp1252-uerklaert.html", no_decl.encode("cp1252"), "indexed", "pårørende")
    lying = f"<html><head><meta charset='utf-8'></head><body><p>{LATIN1_TEXT} – «sitat»</p></body></html>"
    put("loeyer-om-tegnsett.html", lying.encode("cp1252"), "indexed", "pårørende")
    # text encodings
    put("utf16.txt", LATIN1_TEXT.encode("utf-16"), "indexed", "pårørende")
    put("utf8-bom.txt", "\ufeff" + LATIN1_TEXT, "indexed", "pårørende")
    put("latin1.txt", LATIN1_TEXT.encode("latin-1"), "indexed", "pårørende")
    # Office hostility
    put("zipbombe.docx", _zip_bomb("docx"), "failed", "unpack")
    put("zipbombe.pptx", _zip_bomb("pptx"), "failed", "unpack")
    put("milliard-latter.docx", _docx(_para("&lol9;"), BILLION_LAUGHS), "failed", "DOCTYPE")
    put("ekstern-entitet.docx", _docx(_para("&xxe;"), XXE), "failed", "DOCTYPE")
    put("tekst-som-pptx.pptx", "Dette er bare tekst med feil navn.\n", "skipped", "unsupported")
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("bilde.txt", "ikke office")
    put("ikke-office.docx", other_zip.getvalue(), "skipped", "zip")
    put(
        "gammel-word.docx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(4000),
        "skipped",
        "legacy",
    )
    # names
    put("navn med mellomrom.md", f"# Mellomrom\n\n{GOOD_TEXT}\n", "indexed", "avlastning")
    put("æøå-plan.md", f"# Særnorsk\n\n{GOOD_TEXT}\n", "indexed", "avlastning")
    put("-ledende-strek.md", f"# Strek\n\n{GOOD_TEXT}\n", "indexed", "avlastning")
    put("linje\nskift.md", f"# Linjeskift\n\n{GOOD_TEXT}\n", "indexed", "avlastning")
    if sys.platform != "darwin":  # macOS file systems refuse names that are not UTF-8
        bad = os.fsdecode(b"ugyldig-\xff\xfe.md")
        put(bad, f"# Ugyldig navn\n\n{GOOD_TEXT}\n", "indexed", "avlastning")
    # links and special files
    outside = folder.parent / f"{folder.name}-utenfor"
    outside.mkdir(exist_ok=True)
    (outside / "hemmelig.md").write_text("# Utenfor\n\nDenne filen ligger utenfor mappen.\n")
    os.symlink(outside / "hemmelig.md", folder / "lenke-ut.md")
    expect["lenke-ut.md"] = ("skipped", "outside")
    os.symlink(folder, folder / "løkke")
    os.symlink(folder / "finnes-ikke.md", folder / "død-lenke.md")
    expect["død-lenke.md"] = ("skipped", "not a regular file")
    os.mkfifo(folder / "fifo.md")
    expect["fifo.md"] = ("skipped", "not a regular file")
    locked = folder / "uten-lesetilgang.md"
    locked.write_text(f"# Låst\n\n{GOOD_TEXT}\n", encoding="utf-8")
    locked.chmod(0)
    # root reads any file: then the file is simply indexed
    expect[locked.name] = ("indexed", "avlastning") if os.geteuid() == 0 else ("failed", "read")
    return expect


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python tests/catalogue.py OUT_FOLDER")
    for name, (outcome, clue) in sorted(build(Path(sys.argv[1])).items()):
        print(f"{outcome:8} {clue:26} {name!r}")
