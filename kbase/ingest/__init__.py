"""Ingestors: files in, extracted structure out. They never touch the index."""

from .registry import Ingestor, choose, register

__all__ = ["Ingestor", "choose", "register"]
