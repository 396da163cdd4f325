"""Readable text from HTML with the standard library's html.parser."""

from html.parser import HTMLParser

SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "canvas", "iframe", "form", "button",
                     "nav", "header", "footer", "aside", "select", "textarea"})
BLOCKS = frozenset({"p", "div", "section", "article", "main", "li", "ul", "ol", "br", "tr", "table", "h1", "h2",
                    "h3", "h4", "h5", "h6", "pre", "blockquote", "figure", "figcaption", "dd", "dt", "hr"})
VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "area", "base", "col", "embed", "wbr"})


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = []
        self.in_title = False
        self.skip_depth = 0
        self.main_depth = 0
        self.saw_main = False
        self.parts = []
        self.main_parts = []
        self.meta = {}
        self.language = None
        self.canonical = None

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html" and attrs.get("lang"):
            self.language = attrs["lang"].strip()
        elif tag == "title":
            self.in_title = True
        elif tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").lower()
            if key and "content" in attrs:
                self.meta.setdefault(key, attrs["content"].strip())
        elif tag == "link" and "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            self.canonical = attrs["href"].strip()
        if tag in VOID:
            if tag in BLOCKS:
                self._emit("\n")
            return
        if tag in SKIPPED or self.skip_depth:
            self.skip_depth += 1
            return
        if tag in ("main", "article"):
            self.main_depth += 1
            self.saw_main = True
        if tag in BLOCKS:
            self._emit("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in VOID:
            return
        if self.skip_depth:
            self.skip_depth -= 1
            return
        if tag in BLOCKS:
            self._emit("\n")
        if tag in ("main", "article") and self.main_depth:
            self.main_depth -= 1

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
            return
        if not self.skip_depth:
            self._emit(data)

    def _emit(self, text):
        self.parts.append(text)
        if self.main_depth:
            self.main_parts.append(text)


def _clean(parts) -> str:
    lines = []
    for raw in "".join(parts).split("\n"):
        line = " ".join(raw.split())
        if line:
            lines.append(line)
    return "\n".join(lines)


def extract(html: str) -> dict:
    """Title, description, language, site name, image, canonical URL and readable text of a page."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    meta = reader.meta
    text = _clean(reader.main_parts if reader.saw_main and reader.main_parts else reader.parts)
    title = " ".join("".join(reader.title).split()) or meta.get("og:title") or None
    return {
        "title": title,
        "description": meta.get("description") or meta.get("og:description") or None,
        "language": reader.language or meta.get("og:locale") or None,
        "site_name": meta.get("og:site_name") or None,
        "image": meta.get("og:image") or None,
        "published": meta.get("article:published_time") or None,
        "canonical": reader.canonical if reader.canonical and reader.canonical.startswith("http") else None,
        "text": text,
    }
