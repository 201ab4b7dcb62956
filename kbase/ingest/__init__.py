"""Ingestors: files in, extracted structure out. They never touch the index."""

from .registry import Ingestor, choose, preload_readers, register

__all__ = ["Ingestor", "choose", "preload_readers", "register"]
