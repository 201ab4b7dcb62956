"""The taxonomy as data: veivalg and themes with labels, weighted cue terms and settings."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import KbaseError

KINDS = ("veivalg", "theme")


@dataclass(frozen=True)
class Tag:
    """One veivalg or theme with its cue terms."""

    slug: str
    label: str
    kind: str  # "veivalg" or "theme"
    terms: dict[str, float] = field(default_factory=dict, compare=False)
    against: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Taxonomy:
    """The veivalg and themes passages can be tagged with, and how strictly."""

    veivalg: tuple[Tag, ...]
    themes: tuple[Tag, ...]
    settings: dict[str, float] = field(default_factory=dict, compare=False)
    source: str = "(built-in)"
    text: str = field(default="", compare=False, repr=False)

    def slugs(self, kind: str) -> list[str]:
        """The slugs of one kind ("veivalg" or "theme"), in file order."""
        return [t.slug for t in (self.veivalg if kind == "veivalg" else self.themes)]

    def setting(self, name: str) -> float:
        """A setting from [settings], with kbase's default when the file leaves it out."""
        defaults = {
            "veivalg_threshold": 3.0,
            "theme_threshold": 2.0,
            "heading_weight": 2.5,
            "max_veivalg": 2,
            "second_veivalg": 0.7,
        }
        return float(self.settings.get(name, defaults[name]))

    @property
    def fingerprint(self) -> str:
        """A short hash of the file's text: changes when the taxonomy does."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]


def _weights(value: Any, where: str) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, int | float) for v in value.values()):
        raise KbaseError(f'{where} must be a table of "term" = weight')
    return {str(k): float(v) for k, v in value.items()}


def parse_taxonomy(text: str, name: str) -> Taxonomy:
    """A taxonomy from TOML text; a clear error names what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KbaseError(f"taxonomy {name} is not valid TOML: {exc}") from exc
    out: dict[str, list[Tag]] = {"veivalg": [], "theme": []}
    seen: set[tuple[str, str]] = set()
    for kind in KINDS:
        for entry in data.get(kind, []):
            if "slug" not in entry or "label" not in entry:
                raise KbaseError(f"taxonomy {name}: every [[{kind}]] needs a slug and a label")
            slug = str(entry["slug"])
            if (kind, slug) in seen:
                raise KbaseError(f"taxonomy {name}: {kind} {slug!r} is defined twice")
            seen.add((kind, slug))
            out[kind].append(
                Tag(
                    slug,
                    str(entry["label"]),
                    kind,
                    _weights(entry.get("terms"), f"taxonomy {name}: {slug}.terms"),
                    _weights(entry.get("against"), f"taxonomy {name}: {slug}.against"),
                )
            )
    if not out["veivalg"] and not out["theme"]:
        raise KbaseError(f"taxonomy {name} defines no [[veivalg]] and no [[theme]]")
    return Taxonomy(
        tuple(out["veivalg"]), tuple(out["theme"]), dict(data.get("settings", {})), name, text
    )


def default_taxonomy_text() -> str:
    """The text of the taxonomy shipped with kbase."""
    return resources.files("kbase").joinpath("data/taxonomy.toml").read_text(encoding="utf-8")


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The taxonomy in `path`, or the default one shipped with kbase."""
    if path is None:
        return parse_taxonomy(default_taxonomy_text(), "(built-in)")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KbaseError(
            f"cannot read taxonomy {p}: {getattr(exc, 'strerror', None) or exc}"
        ) from exc
    return parse_taxonomy(text, str(p))
