"""Web pages and press releases: the main content only, headings as sections."""

from __future__ import annotations

import dataclasses
import re
import warnings as pywarnings

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..model import Block, Extracted
from .clean import join_lines, normalize
from .decode import declared_charset, decode_bytes

# Elements that are never content.
DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "canvas",
    "iframe",
    "object",
    "embed",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "nav",
    "aside",
    "dialog",
    "link",
    "meta",
]
# Site chrome recognised by id, class or role.
CHROME = re.compile(
    r"cookie|consent|gdpr|banner|breadcrumb|brødsmule|skip-?link|hopp-til|\bmenu\b|meny|navbar|"
    r"navigation|site-?header|site-?footer|page-?footer|share|del-?siden|social|related|relaterte|"
    r"sidebar|newsletter|nyhetsbrev|search-?box|sok-?felt|pagination|print|byline|published|"
    r"publisert|dateline|article-?meta",
    re.IGNORECASE,
)
CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
TEXT_BLOCKS = {"p", "blockquote", "figcaption", "dd", "dt", "address", "pre", "summary"}
CONTAINERS = {
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "span",
    "details",
    "figure",
    "dl",
    "center",
    "body",
    "html",
    "ul",
    "ol",
}


def _is_chrome(tag: Tag) -> bool:
    if tag.name in ("header", "footer") and not tag.find_parent(["article", "main"]):
        return True
    if (tag.get("role") or "").lower() in CHROME_ROLES:
        return True
    if tag.get("aria-hidden") == "true" or tag.has_attr("hidden"):
        return True
    marker = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
    return bool(marker.strip()) and bool(CHROME.search(marker))


# Script shown as text ("&lt;script&gt;alert(1)&lt;/script&gt;" on the page): code, not content.
# Markup shown as text ("&lt;img onerror=...&gt;") is code too; a plan never needs it.
SCRIPT_TEXT = re.compile(
    r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)|</?[a-z][a-z0-9]*\b[^<>]*>|\bjavascript:\S*",
    re.IGNORECASE | re.DOTALL,
)


def _without_code(block: Block) -> Block:
    if block.rows:
        rows = tuple(tuple(normalize(SCRIPT_TEXT.sub(" ", c)) for c in r) for r in block.rows)
        return dataclasses.replace(block, rows=rows)
    if "<" not in block.text and "javascript:" not in block.text.lower():
        return block
    return dataclasses.replace(block, text=normalize(SCRIPT_TEXT.sub(" ", block.text)))


def _chrome(soup: BeautifulSoup) -> list[Tag]:
    """The outermost chrome elements, found top-down without descending into them."""
    found: list[Tag] = []
    stack: list[Tag] = [soup]
    while stack:
        node = stack.pop()
        for child in node.contents:
            if not isinstance(child, Tag):
                continue
            if child.name not in ("html", "body", "main", "article") and _is_chrome(child):
                found.append(child)
            else:
                stack.append(child)
    return found


def _text(tag: Tag) -> str:
    return normalize(tag.get_text(" "))


def _main_content(soup: BeautifulSoup) -> Tag:
    """The article, main element, or the block with the most paragraph text."""
    for selector in ("article", "main", "[role=main]", "#content", "#main", ".content"):
        found = soup.select(selector)
        if found:
            return max(found, key=lambda t: len(_text(t)))
    body = soup.body or soup
    best, best_len = body, 0
    for cand in body.find_all(["div", "section"]):
        plen = sum(len(_text(p)) for p in cand.find_all("p", recursive=False))
        if plen > best_len:
            best, best_len = cand, plen
    return best if best_len > 200 else body


def _table_rows(table: Tag) -> tuple[tuple[str, ...], ...]:
    rows = []
    for tr in table.find_all("tr"):
        cells = tuple(_text(c) for c in tr.find_all(["th", "td"]))
        if any(cells):
            rows.append(cells)
    return tuple(rows)


def _walk(root: Tag, blocks: list[Block]) -> None:
    """Blocks in document order. Iterative, so a page nested 100,000 levels deep is read too."""
    stack = [(root, iter(root.contents))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, Comment) or not isinstance(child, Tag):
            if isinstance(child, NavigableString) and not isinstance(child, Comment):
                text = normalize(str(child))
                if text and node.name in CONTAINERS and node.name not in ("ul", "ol", "dl"):
                    blocks.append(Block("paragraph", text))
            continue
        name = child.name
        if name in HEADINGS:
            text = _text(child)
            if text:
                blocks.append(Block("heading", text, level=HEADINGS[name]))
        elif name == "table":
            rows = _table_rows(child)
            if rows:
                first = child.find("tr")
                marked = bool(first) and all(c.name == "th" for c in first.find_all(["th", "td"]))
                blocks.append(Block("table", rows=rows, header=marked or None))
        elif name == "li":
            nested = child.find(["ul", "ol", "p", "table"])
            if nested is None:
                text = _text(child)
                if text:
                    blocks.append(Block("bullet", text))
            else:
                stack.append((child, iter(child.contents)))
        elif name in TEXT_BLOCKS:
            text = join_lines([_text(child)])
            if text:
                blocks.append(Block("paragraph", text))
        elif name == "br":
            continue
        else:
            stack.append((child, iter(child.contents)))


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and tag.get("content"):
            return normalize(tag["content"])
    return None


def extract_html(data: bytes, name: str) -> Extracted:
    """Extract the main content of a web page as blocks, with title, date and site name."""
    text, warnings = decode_bytes(data, name, declared_charset(data))
    with pywarnings.catch_warnings():  # bs4 warns about XML-looking pages; we read them anyway
        pywarnings.simplefilter("ignore")
        soup = BeautifulSoup(text, "lxml")
    title = _meta(soup, "og:title")
    site = _meta(soup, "og:site_name", "author", "dcterms.publisher", "DC.publisher")
    date = _meta(
        soup,
        "article:published_time",
        "dcterms.date",
        "DC.date",
        "date",
        "dcterms.modified",
        "article:modified_time",
    )
    if not date:
        t = soup.find("time", attrs={"datetime": True})
        date = t["datetime"] if t else None
    url = _meta(soup, "og:url")
    page_title = normalize(soup.title.get_text()) if soup.title else None

    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(string=lambda s: isinstance(s, Comment)):
        tag.extract()
    for tag in _chrome(soup):
        tag.decompose()

    main = _main_content(soup)
    blocks: list[Block] = []
    _walk(main, blocks)
    blocks = [b for b in map(_without_code, blocks) if b.text or b.rows]
    if not title:
        h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
        title = h1 or page_title
    year = None
    if date:
        m = re.search(r"(19|20)\d\d", date)
        year = int(m.group(0)) if m else None
    lead = "\n".join([site or "", page_title or "", *(b.text for b in blocks[:10])])
    return Extracted(
        blocks=blocks,
        title=title,
        year=year,
        kommune=site,
        url=url,
        warnings=warnings,
        lead_text=lead,
    )
