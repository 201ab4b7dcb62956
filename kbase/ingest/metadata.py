"""Document metadata: what the content says, then a sidecar `<name>.meta.toml`, then options."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import ExtractionError
from ..model import Extracted

DOC_TYPES = (
    "kommuneplan",
    "kommunedelplan",
    "temaplan",
    "handlingsplan",
    "pressemelding",
    "presentasjon",
    "saksframlegg",
    "rapport",
    "nettside",
)
# Title and text words that give away the kind of document, most specific first.
TYPE_WORDS = [
    ("pressemelding", r"pressemelding|pressemelding|nyhetsmelding"),
    ("saksframlegg", r"saksfr[ae]mlegg"),
    ("handlingsplan", r"handlingsplan|tiltaksplan|handlingsdel"),
    ("kommunedelplan", r"kommunedelplan"),
    ("temaplan", r"temaplan"),
    ("kommuneplan", r"kommuneplanens samfunnsdel|kommuneplanens arealdel|kommuneplan"),
    ("rapport", r"rapport|evaluering|utredning|kartlegging"),
    ("presentasjon", r"presentasjon|lysbilde"),
]
NOT_A_NAME = {
    "hver",
    "denne",
    "dette",
    "vår",
    "var",
    "din",
    "egen",
    "eiga",
    "annen",
    "anna",
    "samme",
    "hele",
    "heile",
    "ny",
    "nye",
    "den",
    "en",
    "ein",
    "kvar",
    "vertskommune",
    "som",
    "i",
    "og",
    "dersom",
    "når",
    "at",
    "til",
    "fra",
    "for",
    "per",
    "hvilken",
}
KOMMUNE = re.compile(
    r"\b([A-ZÆØÅ][a-zæøåA-ZÆØÅ-]+(?: [A-ZÆØÅ][a-zæøå-]+)?) (?:kommune|kommunes|kommunestyre)\b"
)
ADOPTED = re.compile(
    r"(?:vedtatt|vedteke|vedtatt av kommunestyret|publisert|datert)[^.\n]{0,60}?\b((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
MONTHS = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
DATE = re.compile(
    rf"\b\d{{1,2}}\.\s*(?:(?:{MONTHS})|\d{{1,2}}\.)\s*((?:19|20)\d\d)\b", re.IGNORECASE
)
PERIOD = re.compile(r"\b((?:19|20)\d\d)\s*[-–—]\s*(?:19|20)\d\d\b")


def normalize_kommune(name: str | None) -> str | None:
    """'EKSEMPEL KOMMUNE' and 'Eksempel kommune' both become 'Eksempel'."""
    if not name:
        return None
    name = re.sub(r"\s+kommunes?$", "", name.strip(), flags=re.IGNORECASE).strip()
    if name.isupper():
        name = name.title()
    return name or None


def detect_kommune(text: str) -> str | None:
    """The municipality most often named as 'X kommune' in the text."""
    counts: Counter[str] = Counter()
    for m in KOMMUNE.finditer(text):
        name = m.group(1)
        words = name.split()
        if words[0].lower() in NOT_A_NAME:
            if len(words) == 1:
                continue
            name = " ".join(words[1:])
        counts[name] += 1
    for m in re.finditer(r"\b([A-ZÆØÅ]{3,}(?: [A-ZÆØÅ]{3,})?) KOMMUNE\b", text):
        counts[m.group(1).title()] += 1
    return counts.most_common(1)[0][0] if counts else None


# Kinds of documents that are about other documents: their kicker beats the title's words.
WRAPPERS = ("pressemelding", "saksframlegg")


def detect_doc_type(title: str | None, text: str) -> str | None:
    """The document kind: a press-release or case-document kicker at the very start, else the
    earliest type word in the title, else any kicker word at the start.

    Words further down are not counted: a press release about a temaplan is no temaplan.
    """
    kicker = text[:200]
    patterns = dict(TYPE_WORDS)
    for kind in WRAPPERS:
        if re.search(rf"\b(?:{patterns[kind]})\b", kicker, re.IGNORECASE):
            return kind
    if title:
        found = [
            (m.start(), kind)
            for kind, pattern in TYPE_WORDS
            if (m := re.search(rf"\b(?:{pattern})", title, re.IGNORECASE))
        ]
        if found:
            return min(found)[1]
    for kind, pattern in TYPE_WORDS:
        if re.search(rf"\b(?:{pattern})\b", kicker, re.IGNORECASE):
            return kind
    return None


def detect_year(title: str | None, text: str) -> int | None:
    """A date at the very start (cover, title slide, letterhead), else the year a plan was
    adopted or published, else the first year of its period."""
    m = DATE.search(text[:300]) or ADOPTED.search(text)
    if m:
        return int(m.group(1))
    for source in (title or "", text):
        m = PERIOD.search(source)
        if m:
            return int(m.group(1))
    return None


SIDECAR_SUFFIX = ".meta.toml"


def sidecar_path(path: Path) -> Path | None:
    """The sidecar beside a document: `<name>.meta.toml`, else `<stem>.meta.toml`."""
    for candidate in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_suffix(SIDECAR_SUFFIX)):
        if candidate.is_file() and candidate != path:
            return candidate
    return None


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata from `<name>.meta.toml` (or `<stem>.meta.toml`) beside the document."""
    candidate = sidecar_path(path)
    if candidate is None:
        return {}
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ExtractionError(f"sidecar {candidate.name} is not valid TOML ({exc})") from exc
    if "type" in data and "doc_type" not in data:
        data["doc_type"] = data.pop("type")
    unknown = set(data) - {"title", "kommune", "doc_type", "year", "url"}
    if unknown:
        raise ExtractionError(
            f"sidecar {candidate.name} has unknown keys: {', '.join(sorted(unknown))}"
        )
    return data


def resolve(
    extracted: Extracted, path: Path, kind: str, overrides: dict[str, Any]
) -> dict[str, Any]:
    """Final metadata: detected from content, replaced by the sidecar, replaced by options."""
    lead = extracted.lead_text
    title = extracted.title or path.stem.replace("_", " ").replace("-", " ").strip()
    meta: dict[str, Any] = {
        "title": title,
        "kommune": normalize_kommune(extracted.kommune) or detect_kommune(lead),
        "doc_type": detect_doc_type(title, lead) or extracted.doc_type,
        "year": extracted.year or detect_year(title, lead) or extracted.fallback_year,
        "url": extracted.url,
    }
    if extracted.doc_type == "presentasjon":
        meta["doc_type"] = "presentasjon"
    if meta["doc_type"] is None and kind == "html":
        meta["doc_type"] = "nettside"
    for source in (read_sidecar(path), overrides):
        for key, value in source.items():
            if value is not None:
                meta[key] = value
    meta["kommune"] = normalize_kommune(meta["kommune"])
    if meta["year"] is not None:
        try:
            meta["year"] = int(meta["year"])
        except (TypeError, ValueError) as exc:
            raise ExtractionError(f"year must be a number, not {meta['year']!r}") from exc
    return meta
