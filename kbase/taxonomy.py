"""The taxonomy as data: veivalg and themes with slugs and labels, read from a TOML file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import KbaseError


@dataclass(frozen=True)
class Tag:
    """One veivalg or theme."""

    slug: str
    label: str
    kind: str  # "veivalg" or "theme"


@dataclass(frozen=True)
class Taxonomy:
    """The veivalg and themes passages can be tagged with."""

    veivalg: tuple[Tag, ...]
    themes: tuple[Tag, ...]

    def slugs(self, kind: str) -> list[str]:
        """The slugs of one kind, in file order."""
        return [t.slug for t in (self.veivalg if kind == "veivalg" else self.themes)]


def _parse(text: str, name: str) -> Taxonomy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KbaseError(f"taxonomy {name} is not valid TOML: {exc}") from exc
    out: dict[str, list[Tag]] = {"veivalg": [], "theme": []}
    for kind in out:
        for entry in data.get(kind, []):
            if "slug" not in entry or "label" not in entry:
                raise KbaseError(f"taxonomy {name}: every [[{kind}]] needs a slug and a label")
            out[kind].append(Tag(entry["slug"], entry["label"], kind))
    return Taxonomy(tuple(out["veivalg"]), tuple(out["theme"]))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The taxonomy in `path`, or the default one shipped with kbase."""
    if path is None:
        text = resources.files("kbase").joinpath("data/taxonomy.toml").read_text(encoding="utf-8")
        return _parse(text, "(built-in)")
    p = Path(path)
    try:
        return _parse(p.read_text(encoding="utf-8"), str(p))
    except OSError as exc:
        raise KbaseError(f"cannot read taxonomy {p}: {exc.strerror or exc}") from exc
