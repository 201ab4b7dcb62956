.PHONY: install test lint fix corpus

install:
	pip install -e '.[test]'

test:
	python -m pytest

lint:
	ruff check kbase tests scripts
	ruff format --check kbase tests scripts

fix:
	ruff check --fix kbase tests scripts
	ruff format kbase tests scripts

corpus:
	python scripts/make_corpus.py
