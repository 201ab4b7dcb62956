"""The Whoosh index: schema, manifest, writing and reading."""

from .schema import SCHEMA_VERSION, build_schema
from .store import IndexStore

__all__ = ["IndexStore", "SCHEMA_VERSION", "build_schema"]
