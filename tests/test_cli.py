"""The command line through click's CliRunner: output, JSON shapes and exit statuses."""

from __future__ import annotations

import gc
import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, HIT_FIELDS

from kbase.cli import cli, main


@pytest.fixture
def env(in_tmp: Path) -> dict[str, str]:
    shutil.copytree(CORPUS, in_tmp / "corpus")
    return {"KBASE_INDEX": str(in_tmp / "ix")}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_ingest_then_search_prints_title_page_section_snippet(env: dict[str, str]) -> None:
    code, out, err = run(env, "ingest", "corpus")
    assert (code, out, err) == (0, "6 added, 0 updated, 0 unchanged, 0 skipped, 0 failed\n", "")
    code, out, _ = run(
        env, "search", "hverdagsrehabilitering", "--type", "temaplan", "--limit", "1"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "5 passages match; showing 1–1."
    assert (
        lines[2] == "1. Temaplan for helse og omsorg 2024–2035  (Fjordvik kommune, temaplan, 2024)"
    )
    assert lines[3] == "   p. 5 · Veivalg > Tilrettelegge for mestring"
    assert "**hverdagsrehabilitering**" in lines[4].lower()

    assert lines[5].startswith("   id: temaplan-helse-og-omsorg-2024-2035-")


def test_search_json_matches_the_contract(env: dict[str, str]) -> None:
    run(env, "ingest", "corpus")
    code, out, _ = run(env, "search", "demens", "--json", "--limit", "2")
    data = json.loads(out)
    assert code == 0
    assert set(data) >= {"query", "total", "hits", "facets", "suggestion"}
    assert data["query"] == "demens" and data["total"] >= 4 and len(data["hits"]) == 2
    assert set(data["facets"]) >= {"veivalg", "themes", "kommune", "doc_type"}
    assert set(data["hits"][0]) == set(HIT_FIELDS)


def test_ingest_json_and_exit_1_on_failure(env: dict[str, str], in_tmp: Path) -> None:
    (in_tmp / "corpus" / "tom.pdf").write_bytes(b"")
    (in_tmp / "corpus" / "rot.pdf").write_bytes(b"%PDF-1.4 nonsense")
    code, out, err = run(env, "ingest", "corpus", "--json")
    data = json.loads(out)
    assert code == 1
    assert set(data) >= {"added", "updated", "unchanged", "skipped", "failed"}
    assert len(data["added"]) == 6
    assert data["skipped"] == ["corpus/tom.pdf"]
    assert [f["path"] for f in data["failed"]] == ["corpus/rot.pdf"]
    assert "Traceback" not in out + err
    code, out, err = run(env, "ingest", "corpus")
    assert code == 1
    assert "failed: corpus/rot.pdf: not a readable PDF" in err
    assert "6 unchanged" in out


def test_show_cite_docs_remove(env: dict[str, str]) -> None:
    run(env, "ingest", "corpus")
    hit = json.loads(run(env, "search", '"fast koordinator"', "--json")[1])["hits"][0]
    pid = hit["passage_id"]
    code, out, _ = run(env, "show", pid, "--json")
    shown = json.loads(out)
    assert code == 0 and shown["passage_id"] == pid and shown["page"] == 5
    assert shown["context"]["next"]["text"].startswith("Utskrivning fra sykehuset")
    code, out, _ = run(env, "cite", pid)
    assert code == 0
    assert out.endswith(
        "(Fjordvik kommune: Temaplan for helse og omsorg 2024–2035 (2024), s. 5, «Trygge overganger»)\n"
    )
    assert out.startswith("«Pasienter og brukere skal oppleve")
    md = run(env, "cite", pid, "--format", "markdown")[1]
    assert md.startswith("> Pasienter og brukere") and "> — Fjordvik kommune:" in md
    cj = json.loads(run(env, "cite", pid, "--format", "json")[1])
    assert cj["quote"] == hit["text"] and cj["page"] == 5
    docs = json.loads(run(env, "docs", "--json")[1])
    assert len(docs) == 6
    assert set(docs[0]) == {
        "doc_id",
        "title",
        "kommune",
        "doc_type",
        "year",
        "source",
        "url",
        "sha256",
        "pages",
        "passages",
        "veivalg",
        "themes",
        "ingested_at",
    }
    code, out, _ = run(env, "remove", hit["doc_id"])
    assert code == 0 and out.startswith(f"removed {hit['doc_id']}")
    assert len(json.loads(run(env, "docs", "--json")[1])) == 5


def test_errors_are_one_line_with_exit_status(env: dict[str, str]) -> None:
    run(env, "ingest", "corpus")
    assert run(env, "show", "ukjent:123") == (
        1,
        "",
        "Error: no passage with id 'ukjent:123'; find ids with `kbase search`\n",
    )
    assert run(env, "remove", "ukjent")[0] == 1
    code, out, err = run(env, "search", "og på")
    assert code == 2 and err.startswith("Error: the query 'og på' has no searchable words")
    assert run(env, "search", "demens", "--year", "snart")[0] == 2
    assert run(env, "search")[0] == 2  # missing argument: click's usage error


def test_typo_shows_results_for_the_correction(env: dict[str, str]) -> None:
    run(env, "ingest", "corpus")
    code, out, _ = run(env, "search", "pårørendeskloe")
    assert code == 0
    assert out.startswith("No hits for «pårørendeskloe»; showing results for «pårørendeskole».")


def test_tags_lists_the_taxonomy(env: dict[str, str]) -> None:
    code, out, _ = run(env, "tags", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [r["slug"] for r in rows if r["kind"] == "veivalg"] == [
        "tilrettelegge-for-mestring",
        "naermest-mulig-lengst-mulig",
        "sentraliserte-tjenester-til-spesielle-behov",
        "trygge-overganger",
        "fra-storbruker-til-superbruker",
        "seniorkraft",
    ]


def test_every_command_has_help_with_an_example() -> None:
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example: kbase" in result.output, name


def test_the_command_leaves_its_objects_to_the_end_of_the_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the interpreter's collections at exit walk every object still alive, several times:
    # 40 ms of a 0.3 s search; frozen objects are left to the process's end
    monkeypatch.setattr(sys, "argv", ["kbase", "--version"])
    frozen = gc.get_freeze_count()
    try:
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 0
        assert capsys.readouterr().out.startswith("kbase, version ")
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()


def test_unreadable_index_is_an_error_not_a_new_index(in_tmp: Path) -> None:
    folder = in_tmp / "ikke-indeks"
    folder.mkdir()
    (folder / "fil.txt").write_text("x", encoding="utf-8")
    code, _, err = run({"KBASE_INDEX": str(folder)}, "docs")
    assert code == 1 and "is not a kbase index" in err
    assert sorted(p.name for p in folder.iterdir()) == ["fil.txt"]


def test_show_exposes_tag_evidence_and_retag_with_taxonomy_option(
    env: dict[str, str], in_tmp: Path
) -> None:
    run(env, "ingest", "corpus")
    pid = json.loads(run(env, "search", '"fast koordinator"', "--json")[1])["hits"][0]["passage_id"]
    shown = json.loads(run(env, "show", pid, "--json")[1])
    assert "trygge-overganger" in shown["veivalg"]
    ev = shown["tag_evidence"]["trygge-overganger"]
    assert ev["heading"] is True and "koordinerende enhet" in ev["terms"] and ev["score"] >= 2.5
    text = run(env, "show", pid)[1]
    assert "veivalg: trygge-overganger (score" in text
    custom = in_tmp / "t.toml"
    custom.write_text(
        '[[veivalg]]\nslug = "en"\nlabel = "En"\n[veivalg.terms]\n"koordinator" = 3\n',
        encoding="utf-8",
    )
    assert run(env, "--taxonomy", str(custom), "retag") == (0, "re-tagged 6 documents\n", "")
    rows = json.loads(run(env, "tags", "--json")[1])
    assert [(r["slug"], r["passages"] > 0) for r in rows] == [("en", True)]
    bad = in_tmp / "bad.toml"
    bad.write_text("[[veivalg]]\nslug = 1", encoding="utf-8")
    code, _, err = run(env, "--taxonomy", str(bad), "tags")
    assert (
        code == 1 and err.startswith("Error: taxonomy") and "\n" == err[-1] and err.count("\n") == 1
    )
