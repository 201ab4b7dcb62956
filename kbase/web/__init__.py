"""`kbase serve`: a local, read-only search page over a KnowledgeBase.

Flask (with Jinja2) because it is small, maintained by the Pallets team, renders server-side
so every page works without JavaScript, and its test client covers every route in-process.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, render_template, request, send_file
from markupsafe import Markup, escape

from ..cite import citation, cite_dict, format_citation
from ..errors import KbaseError, QuerySyntaxError, UnknownIdError
from ..kb import KnowledgeBase

PER_PAGE = 10
LIST_FILTERS = ("veivalg", "tema")
ONE_FILTERS = ("kommune", "type", "år")
TYPE_LABELS = {
    "kommuneplan": "Kommuneplan",
    "kommunedelplan": "Kommunedelplan",
    "temaplan": "Temaplan",
    "handlingsplan": "Handlingsplan",
    "pressemelding": "Pressemelding",
    "presentasjon": "Presentasjon",
    "saksframlegg": "Saksframlegg",
    "rapport": "Rapport",
    "nettside": "Nettside",
}


def marked(snippet: str) -> Markup:
    """Escape a snippet, then show its **matches** as <mark>."""
    safe = str(escape(snippet))
    return Markup(re.sub(r"\*\*(.+?)\*\*", r"<mark>\1</mark>", safe))


def _search_args() -> dict[str, Any]:
    args = request.args
    return {
        "q": args.get("q", "").strip(),
        "veivalg": [v for v in args.getlist("veivalg") if v],
        "tema": [v for v in args.getlist("tema") if v],
        "kommune": args.get("kommune") or None,
        "type": args.get("type") or None,
        "år": args.get("år") or None,
        "by_doc": args.get("by_doc") == "1",
        "side": max(1, int(args.get("side", "1"))) if args.get("side", "1").isdigit() else 1,
    }


def _url(state: dict[str, Any], **change: Any) -> str:
    """The search page URL for `state` with some filters changed (so searches can be shared)."""
    merged = {**state, **change}
    pairs: list[tuple[str, str]] = []
    if merged["q"]:
        pairs.append(("q", merged["q"]))
    for key in LIST_FILTERS:
        pairs += [(key, v) for v in merged[key]]
    for key in ONE_FILTERS:
        if merged[key]:
            pairs.append((key, str(merged[key])))
    if merged["by_doc"]:
        pairs.append(("by_doc", "1"))
    if merged.get("side", 1) > 1:
        pairs.append(("side", str(merged["side"])))
    return "/?" + urlencode(pairs) if pairs else "/"


def create_app(kb: KnowledgeBase) -> Flask:
    """The web application over an open KnowledgeBase; read-only."""
    app = Flask(__name__)
    app.jinja_env.filters["marked"] = marked
    labels = {t.slug: t.label for t in (*kb.taxonomy().veivalg, *kb.taxonomy().themes)}

    @app.context_processor
    def helpers() -> dict[str, Any]:
        return {"labels": labels, "type_labels": TYPE_LABELS, "veivalg_tags": kb.taxonomy().veivalg}

    def run(state: dict[str, Any]) -> Any:
        return kb.search(
            state["q"],
            limit=PER_PAGE,
            offset=(state["side"] - 1) * PER_PAGE,
            veivalg=state["veivalg"] or None,
            theme=state["tema"] or None,
            kommune=state["kommune"],
            doc_type=state["type"],
            year=state["år"],
            by_document=state["by_doc"],
        )

    @app.get("/")
    def search_page() -> Any:
        state = _search_args()
        has_filter = any(state[k] for k in (*LIST_FILTERS, *ONE_FILTERS))
        results, error = None, None
        if state["q"] or has_filter:
            try:
                results = run(state)
            except QuerySyntaxError as exc:
                error = str(exc)
        facets = []
        if results is not None:
            for key, name, title, multi in (
                ("veivalg", "veivalg", "Veivalg", True),
                ("themes", "tema", "Tema", True),
                ("kommune", "kommune", "Kommune", False),
                ("doc_type", "type", "Dokumenttype", False),
                ("year", "år", "År", False),
            ):
                values = []
                for value, count in results.facets.get(key, {}).items():
                    chosen = value in state[name] if multi else state[name] == value
                    if multi:
                        new = (
                            [v for v in state[name] if v != value]
                            if chosen
                            else [*state[name], value]
                        )
                    else:
                        new = None if chosen else value
                    label = labels.get(value) or TYPE_LABELS.get(value) or value
                    values.append(
                        {
                            "label": label,
                            "count": count,
                            "chosen": chosen,
                            "url": _url(state, **{name: new, "side": 1}),
                        }
                    )
                if values:
                    facets.append({"title": title, "values": values})
        pages = None
        if results is not None and results.total > PER_PAGE:
            last = (results.total + PER_PAGE - 1) // PER_PAGE
            pages = {
                "current": state["side"],
                "last": last,
                "prev": _url(state, side=state["side"] - 1) if state["side"] > 1 else None,
                "next": _url(state, side=state["side"] + 1) if state["side"] < last else None,
            }
        status = 400 if error else 200
        return render_template(
            "search.html",
            state=state,
            results=results,
            error=error,
            facets=facets,
            pages=pages,
            grouped_url=_url(state, by_doc=not state["by_doc"], side=1),
            clear_url=_url(
                {
                    **state,
                    "veivalg": [],
                    "tema": [],
                    "kommune": None,
                    "type": None,
                    "år": None,
                    "side": 1,
                }
            ),
        ), status

    @app.get("/passasjer/<path:passage_id>")
    def passage_page(passage_id: str) -> Any:
        try:
            p = kb.passage(passage_id)
        except UnknownIdError:
            abort(404)
        doc = kb.document(p.doc_id)
        before, after = kb.context(passage_id)
        source_url = f"/dokumenter/{doc.doc_id}/fil" if _local_source(doc.source) else None
        if source_url and p.page and (doc.source.lower().endswith(".pdf")):
            source_url += f"#page={p.page}"
        return render_template(
            "passage.html",
            p=p,
            doc=doc,
            before=before,
            after=after,
            cite_text=format_citation(doc, p, "text"),
            cite_md=format_citation(doc, p, "markdown"),
            citation=citation(doc, p),
            source_url=source_url,
            back_url=_back_url(),
        )

    @app.get("/dokumenter")
    def documents_page() -> Any:
        docs = kb.documents()
        local = {d.doc_id for d in docs if _local_source(d.source)}
        return render_template("documents.html", docs=docs, local=local)

    @app.get("/dokumenter/<doc_id>/fil")
    def document_file(doc_id: str) -> Any:
        try:
            doc = kb.document(doc_id)
        except UnknownIdError:
            abort(404)
        path = _local_source(doc.source)
        if path is None:  # only files the index knows, never an arbitrary path
            abort(404)
        return send_file(path)

    @app.get("/api/search")
    def api_search() -> Any:
        state = _search_args()
        try:
            return jsonify(run(state).to_dict())
        except QuerySyntaxError as exc:
            return jsonify({"error": str(exc)}), 400

    @app.get("/api/passages/<path:passage_id>")
    def api_passage(passage_id: str) -> Any:
        try:
            view = kb.show(passage_id)
        except UnknownIdError as exc:
            return jsonify({"error": str(exc)}), 404
        p = kb.passage(passage_id)
        return jsonify(view | {"cite": cite_dict(kb.document(p.doc_id), p)})

    @app.get("/api/documents")
    def api_documents() -> Any:
        return jsonify([d.to_dict() for d in kb.documents()])

    @app.errorhandler(404)
    def not_found(_: Any) -> Any:
        if request.path.startswith("/api/"):
            return jsonify({"error": "not found"}), 404
        return render_template("error.html", message="Fant ikke siden eller passasjen."), 404

    @app.errorhandler(KbaseError)
    def kbase_error(exc: KbaseError) -> Any:
        return render_template("error.html", message=str(exc)), 500

    @app.after_request
    def headers(resp: Any) -> Any:
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; frame-ancestors 'none'"
        )
        resp.headers["Referrer-Policy"] = "no-referrer"
        return resp

    return app


def _back_url() -> str:
    """The search the reader came from, when it was ours; else the start page."""
    ref = request.referrer or ""
    host = request.host_url.rstrip("/")
    if ref.startswith(host + "/?") or ref == host + "/":
        return ref[len(host) :]
    return "/"


def _local_source(source: str) -> Path | None:
    """The source as a local file, if it is one that exists (URLs are linked, not served)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", source, re.IGNORECASE):
        return None
    path = Path(source)
    return path.resolve() if path.is_file() else None


def serve(kb: KnowledgeBase, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the page until interrupted."""
    from werkzeug.serving import make_server

    server = make_server(host, port, create_app(kb), threaded=False)
    print(f"kbase serve: http://{host}:{server.server_port}/  (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
