.PHONY: install test lint fix corpus

install:
	pip install -e '.[test]'

test:
	python -m pytest

lint:
	ruff check kbase tests scripts bench
	ruff format --check kbase tests scripts bench

fix:
	ruff check --fix kbase tests scripts bench
	ruff format kbase tests scripts bench

corpus:
	python scripts/make_corpus.py
