"""The `kbase` command line: parses options, calls KnowledgeBase, formats the answer."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import click

from . import KbaseError, KnowledgeBase, Limits
from .cite import FORMATS, citation, format_citation
from .model import Hit, IngestReport

EXAMPLES = "Example: kbase ingest corpus && kbase search hverdagsrehabilitering"


class CliError(click.ClickException):
    """A KbaseError shown as one line on stderr with the error's exit status."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class KbaseGroup(click.Group):
    """Turns library errors into one-line messages; never lets a traceback through."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KbaseError as exc:
            raise CliError(str(exc), exc.exit_code) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except BrokenPipeError:
            # the reader went away (`kbase search … | head`): stop quietly
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            raise click.exceptions.Exit(0) from None
        except Exception as exc:  # a bug: still one line, with what to report
            raise CliError(f"unexpected {type(exc).__name__}: {exc} (please report this)") from None


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


LIMIT_OPTIONS = [
    ("--timeout", click.FloatRange(min=1), "Seconds one file may take to read", "120", "TIMEOUT"),
    (
        "--max-memory",
        click.IntRange(min=64),
        "MB of memory one file's reader may use",
        "1024",
        "MAX_MEMORY",
    ),
    (
        "--max-file-size",
        click.IntRange(min=1),
        "MB; larger files are not opened",
        "300",
        "MAX_FILE_SIZE",
    ),
    ("--workers", click.IntRange(min=1), "Processes reading files", "one per CPU core", "WORKERS"),
]


def _limit_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--timeout, --max-memory, --max-file-size and --workers."""
    for name, kind, what, default, env in reversed(LIMIT_OPTIONS):
        fn = click.option(name, type=kind, help=f"{what} [default: {default}, or $KBASE_{env}].")(
            fn
        )
    return fn


def _limits(**given: Any) -> Limits:
    """The limits from the options given, else the environment, else the defaults."""
    return Limits.from_env(
        timeout=given["timeout"],
        max_memory_mb=given["max_memory"],
        max_file_mb=given["max_file_size"],
        workers=given["workers"],
    )


def _kb(ctx: click.Context) -> KnowledgeBase:
    kb = KnowledgeBase(ctx.obj["index"], taxonomy=ctx.obj.get("taxonomy"))
    ctx.call_on_close(kb.close)
    return kb


def _marked(snippet: str, color: bool) -> str:
    """Show **matches** in bold on a terminal, keep the asterisks elsewhere."""
    if not color:
        return snippet
    return re.sub(
        r"\*\*(.+?)\*\*", lambda m: click.style(m.group(1), bold=True, fg="yellow"), snippet
    )


def _where(hit: Hit) -> str:
    p = hit.passage
    parts = []
    if p.page is not None:
        parts.append(f"{'slide' if hit.document.doc_type == 'presentasjon' else 'p.'} {p.page}")
    if p.section:
        parts.append(p.section)
    return " · ".join(parts)


@click.group(cls=KbaseGroup, epilog=EXAMPLES)
@click.option(
    "--index",
    "index",
    envvar="KBASE_INDEX",
    default="indexes/default",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Index folder (or set KBASE_INDEX).",
)
@click.option(
    "--taxonomy",
    envvar="KBASE_TAXONOMY",
    default=None,
    type=click.Path(dir_okay=False),
    help="Taxonomy TOML of veivalg and themes (or set KBASE_TAXONOMY); "
    "default: the one the index was tagged with.",
)
@click.version_option(package_name="kbase")
@click.pass_context
def cli(ctx: click.Context, index: str, taxonomy: str | None) -> None:
    """Search what municipal health-and-care plans say, and cite it.

    Ingest PDFs, web pages and text files into an index, then search it by topic,
    veivalg or theme and get passages with document, page, section and a citation.
    """
    ctx.ensure_object(dict)
    ctx.obj["index"] = index
    ctx.obj["taxonomy"] = taxonomy


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--kommune", help="Municipality (overrides what is detected).")
@click.option("--type", "doc_type", help="Document type, e.g. temaplan, pressemelding.")
@click.option("--title", help="Document title.")
@click.option("--year", type=int, help="Year of the document.")
@click.option("--url", help="Where the document is published; cited instead of the path.")
@click.option("--force", is_flag=True, help="Re-read files even if they have not changed.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_limit_options
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[str, ...],
    kommune: str | None,
    doc_type: str | None,
    title: str | None,
    year: int | None,
    url: str | None,
    force: bool,
    as_json: bool,
    timeout: float | None,
    max_memory: int | None,
    max_file_size: int | None,
    workers: int | None,
) -> None:
    """Extract, tag and index files and folders (folders recursively).

    Unchanged files are skipped quickly; changed files replace their passages; documents
    whose files were removed from an ingested folder leave the index.

    Example: kbase ingest corpus --kommune Eksempel
    """
    limits = _limits(
        timeout=timeout, max_memory=max_memory, max_file_size=max_file_size, workers=workers
    )
    kb = _kb(ctx)
    bar = None
    progress: Callable[[int, int, str], None] | None = None
    if not as_json and sys.stderr.isatty():

        def progress(done: int, total: int, path: str) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=total, label="Ingesting", file=sys.stderr)
                bar.__enter__()
            bar.update(1, current_item=path)

    try:
        report = kb.ingest(
            *paths,
            kommune=kommune,
            doc_type=doc_type,
            title=title,
            year=year,
            url=url,
            force=force,
            progress=progress,
            limits=limits,
        )
    finally:
        if bar is not None:
            bar.update(bar.length - bar.pos)
            bar.__exit__(None, None, None)
    _show_report(ctx, report, as_json)


def _show_report(ctx: click.Context, report: IngestReport, as_json: bool) -> None:
    """The report as JSON or as lines; exit status 1 if any file failed."""
    if as_json:
        _dump(report.to_dict())
    else:
        _print_report(report)
    if report.failed:
        ctx.exit(1)


def _print_report(report: IngestReport) -> None:
    for path, warning in report.warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    for path, error in report.failed:
        click.echo(f"failed: {path}: {error}", err=True)
    counts = [
        f"{len(report.added)} added",
        f"{len(report.updated)} updated",
        f"{len(report.unchanged)} unchanged",
        f"{len(report.skipped)} skipped",
        f"{len(report.failed)} failed",
    ]
    if report.removed:
        counts.append(f"{len(report.removed)} removed")
    click.echo(", ".join(counts))


@cli.command()
@click.argument("query")
@click.option(
    "--limit", default=10, show_default=True, type=click.IntRange(0), help="Hits per page."
)
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many hits.")
@click.option("--veivalg", multiple=True, help="Only passages with this veivalg slug (repeatable).")
@click.option("--theme", multiple=True, help="Only passages with this theme slug (repeatable).")
@click.option("--kommune", help="Only this municipality.")
@click.option("--type", "doc_type", help="Only this document type.")
@click.option("--year", help="Only this year or range, e.g. 2024 or 2019..2024.")
@click.option("--by-doc", is_flag=True, help="Group hits per document.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    limit: int,
    offset: int,
    veivalg: tuple[str, ...],
    theme: tuple[str, ...],
    kommune: str | None,
    doc_type: str | None,
    year: str | None,
    by_doc: bool,
    as_json: bool,
) -> None:
    """Find passages: plain words, "exact phrases", OR, NOT, prefix*, and filters
    written as veivalg:…, tema:…, kommune:…, type:…, år:2019..2024.

    Example: kbase search "korttidsplasser" --type temaplan
    """
    kb = _kb(ctx)
    results = kb.search(
        query,
        limit=limit,
        offset=offset,
        veivalg=list(veivalg) or None,
        theme=list(theme) or None,
        kommune=kommune,
        doc_type=doc_type,
        year=year,
        by_document=by_doc,
    )
    if as_json:
        _dump(results.to_dict())
        return
    color = sys.stdout.isatty()
    if results.corrected:
        click.echo(f"No hits for «{results.query}»; showing results for «{results.suggestion}».")
    elif results.suggestion:
        click.echo(f"Did you mean «{results.suggestion}»?")
    unit = "documents" if by_doc else "passages"
    if not results.total:
        click.echo(f"No {unit} match «{query}».")
        return
    first = results.offset + 1
    click.echo(f"{results.total} {unit} match; showing {first}–{results.offset + len(results)}.\n")
    for hit in results:
        d = hit.document
        meta = ", ".join(
            str(x) for x in (d.kommune and f"{d.kommune} kommune", d.doc_type, d.year) if x
        )
        click.echo(
            click.style(f"{hit.rank}. {d.title}", bold=True) + (f"  ({meta})" if meta else "")
        )
        where = _where(hit)
        if where:
            click.echo(f"   {where}")
        click.echo(f"   {_marked(hit.snippet, color)}")
        tags = [*hit.passage.veivalg, *hit.passage.themes]
        click.echo(
            f"   id: {hit.passage.passage_id}" + (f"  tags: {', '.join(tags)}" if tags else "")
        )
        click.echo()


@cli.command()
@click.argument("passage_id")
@click.option("--json", "as_json", is_flag=True, help="Print the passage as JSON.")
@click.pass_context
def show(ctx: click.Context, passage_id: str, as_json: bool) -> None:
    """Show one passage whole, with the passages around it and its tags.

    Example: kbase show temaplan-3f2a9c1e:0b1c2d3e4f
    """
    kb = _kb(ctx)
    if as_json:
        _dump(kb.show(passage_id))
        return
    p = kb.passage(passage_id)
    doc = kb.document(p.doc_id)
    before, after = kb.context(passage_id)
    click.echo(click.style(doc.title, bold=True))
    click.echo(citation(doc, p))
    for slug in (*p.veivalg, *p.themes):
        ev = p.tag_evidence.get(slug, {})
        why = ", ".join(ev.get("terms", [])) + (" + heading" if ev.get("heading") else "")
        kind = "veivalg" if slug in p.veivalg else "theme"
        click.echo(f"{kind}: {slug} (score {ev.get('score', '?')}: {why})")
    if before:
        click.echo(click.style(f"\n[before] {before.text[:200]}", dim=True))
    click.echo(f"\n{p.text}\n")
    if after:
        click.echo(click.style(f"[after] {after.text[:200]}", dim=True))


@cli.command()
@click.argument("passage_id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.pass_context
def cite(ctx: click.Context, passage_id: str, fmt: str) -> None:
    """Print a ready-to-paste citation of a passage with its quote.

    Example: kbase cite temaplan-3f2a9c1e:0b1c2d3e4f --format markdown
    """
    kb = _kb(ctx)
    p = kb.passage(passage_id)
    click.echo(format_citation(kb.document(p.doc_id), p, fmt))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the documents as JSON.")
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List the indexed documents with their metadata and passage counts.

    Example: kbase docs --json
    """
    documents = _kb(ctx).documents()
    if as_json:
        _dump([d.to_dict() for d in documents])
        return
    if not documents:
        click.echo("The index is empty; add documents with `kbase ingest PATH`.")
        return
    for d in documents:
        meta = ", ".join(str(x) for x in (d.kommune, d.doc_type, d.year) if x)
        click.echo(f"{d.doc_id}  {d.title}" + (f"  ({meta})" if meta else ""))
        pages = f"{d.pages} pages, " if d.pages else ""
        click.echo(f"    {pages}{d.passages} passages  {d.source}")


@cli.command()
@click.argument("doc_id")
@click.pass_context
def remove(ctx: click.Context, doc_id: str) -> None:
    """Take a document and its passages out of the index.

    Example: kbase remove temaplan-3f2a9c1e
    """
    doc = _kb(ctx).remove(doc_id)
    click.echo(f"removed {doc.doc_id} ({doc.title})")


@cli.command()
@click.pass_context
def retag(ctx: click.Context) -> None:
    """Re-tag every passage in the index with the taxonomy, without re-reading the sources.

    The taxonomy is then kept with the index, and later commands use it.

    Example: kbase --taxonomy var-kommune.toml retag
    """
    n = _kb(ctx).retag()
    click.echo(f"re-tagged {n} documents")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Read every segment of the index and check that each document is whole.

    Exits 1 when the index is damaged; `kbase rebuild` then reads its sources again.

    Example: kbase check --json
    """
    result = _kb(ctx).check()
    if as_json:
        _dump(result)
    else:
        for problem in result["problems"]:
            click.echo(f"problem: {problem}", err=True)
        for note in result["notes"]:
            click.echo(f"note: {note}", err=True)
        click.echo(
            f"{result['documents']} documents, {result['passages']} passages, "
            f"{result['segments']} segment(s), {result['postings']} postings read; "
            f"{result['sources']} sources listed ({result['failed_sources']} failed); "
            + ("damaged: run `kbase rebuild`" if result["problems"] else "sound")
        )
    if result["problems"]:
        ctx.exit(1)


@cli.command()
@_limit_options
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def rebuild(
    ctx: click.Context,
    timeout: float | None,
    max_memory: int | None,
    max_file_size: int | None,
    workers: int | None,
    as_json: bool,
) -> None:
    """Read every source of the index again into a new index that replaces it.

    Works when the index cannot be opened. The old index stays until the new one is complete.

    Example: kbase --index indexes/default rebuild
    """
    limits = _limits(
        timeout=timeout, max_memory=max_memory, max_file_size=max_file_size, workers=workers
    )
    report = KnowledgeBase.rebuild(ctx.obj["index"], limits=limits)
    _show_report(ctx, report, as_json)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the taxonomy as JSON.")
@click.pass_context
def tags(ctx: click.Context, as_json: bool) -> None:
    """List the veivalg and themes with how many passages and documents carry each.

    Example: kbase tags --json
    """
    rows = _kb(ctx).tags()
    if as_json:
        _dump(rows)
        return
    kind = None
    for row in rows:
        if row["kind"] != kind:
            kind = row["kind"]
            click.echo(click.style("Veivalg" if kind == "veivalg" else "\nThemes", bold=True))
        click.echo(
            f"  {row['slug']:<45} {row['passages']:>5} passages {row['documents']:>4} docs"
            f"  {row['label']}"
        )


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; only this machine by default.",
)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve a read-only search page for the index in a web browser.

    Example: kbase serve --port 8765   (then open http://127.0.0.1:8765/)
    """
    from .web import serve as run_server

    run_server(_kb(ctx), host=host, port=port)


def main() -> None:
    """Entry point of the `kbase` console script."""
    if not sys.warnoptions:  # libraries' warnings are not the user's business (-W shows them)
        import warnings

        warnings.simplefilter("ignore")
    try:
        cli(prog_name="kbase")
    finally:
        # Python's collections at exit would walk every object still alive, several times
        # over (40 ms after an ingest, half the cost of exiting); the process is ending
        gc.freeze()
