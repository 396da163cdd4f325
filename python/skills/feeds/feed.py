"""Import RSS and Atom feeds as post records with their authors and site."""

import re
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

from agentos import client, clean_html, parse_date, returns, skill_error, test, timeout

ATOM = "{http://www.w3.org/2005/Atom}"
RDF_RSS = "{http://purl.org/rss/1.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_EMAIL_NAME = re.compile(r"^\s*([^\s()]+@[^\s()]+)\s*(?:\((.*)\))?\s*$")


@returns("post[]")
@timeout(60)
@test(params={"url": "https://example.com/feed.xml", "limit": 5})
async def import_feed(url: str, limit: int = 50, **params):
    """Fetch an RSS or Atom feed and return its entries as posts.

    Args:
        url: The feed's address
        limit: Most entries returned, newest first as the feed lists them
    """
    resp = await client.get(url, headers={"Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"})
    if not resp["ok"]:
        raise skill_error(f"{url} answered HTTP {resp['status']}", code=f"HTTP_{resp['status']}")
    try:
        root = ElementTree.fromstring(resp["body"].encode("utf-8"))
    except ElementTree.ParseError as error:
        raise skill_error(f"{url} is not a feed: {error}", code="NOT_A_FEED") from None
    feed_url = resp["url"] or url
    if root.tag == f"{ATOM}feed":
        site, entries = _atom(root, feed_url)
    elif root.tag == "rss" or root.tag.endswith("RDF"):
        site, entries = _rss(root, feed_url)
    else:
        raise skill_error(f"{url} is neither RSS nor Atom (root element {root.tag})", code="NOT_A_FEED")
    posts = []
    for entry in entries[: max(0, int(limit))]:
        if not entry.get("url"):
            continue
        post = {"kind": "article", "at": dict(site), **entry}
        author = post.pop("author_name", None), post.pop("author_email", None), post.pop("author_uri", None)
        name, email, uri = author
        if name or email:
            post["author"] = {
                "identifier": email or uri or name,
                "displayName": name,
                "email": email,
                "url": uri,
                "at": dict(site),
            }
            post["author"] = {k: v for k, v in post["author"].items() if v}
        posts.append({k: v for k, v in post.items() if v not in (None, "", [])})
    return posts


def _site(link, title, feed_url):
    home = link or feed_url
    parts = urlsplit(home)
    return {"url": f"{parts.scheme}://{parts.netloc}/", "domain": (parts.hostname or "").removeprefix("www."),
            "name": title or parts.hostname}


def _text(element, path):
    found = element.find(path)
    return (found.text or "").strip() if found is not None and found.text else None


def _atom(root, feed_url):
    link = _atom_link(root, feed_url)
    site = _site(link, _text(root, f"{ATOM}title"), feed_url)
    feed_author = root.find(f"{ATOM}author")
    entries = []
    for item in root.findall(f"{ATOM}entry"):
        author = item.find(f"{ATOM}author")
        if author is None:
            author = feed_author
        content = _text(item, f"{ATOM}content") or _text(item, f"{ATOM}summary")
        entries.append({
            "url": _atom_link(item, feed_url),
            "name": _text(item, f"{ATOM}title"),
            "remoteId": _text(item, f"{ATOM}id"),
            "published": _date(_text(item, f"{ATOM}published") or _text(item, f"{ATOM}updated")),
            "summary": _plain(_text(item, f"{ATOM}summary")),
            "content": _plain(content),
            "hashtags": [c.get("term") for c in item.findall(f"{ATOM}category") if c.get("term")],
            "author_name": _text(author, f"{ATOM}name") if author is not None else None,
            "author_email": _text(author, f"{ATOM}email") if author is not None else None,
            "author_uri": _text(author, f"{ATOM}uri") if author is not None else None,
        })
    return site, entries


def _atom_link(element, base):
    fallback = None
    for link in element.findall(f"{ATOM}link"):
        href = link.get("href")
        if not href:
            continue
        if link.get("rel", "alternate") == "alternate":
            return urljoin(base, href)
        fallback = fallback or urljoin(base, href)
    return fallback


def _rss(root, feed_url):
    channel = root.find("channel")
    if channel is None:
        channel = root.find(f"{RDF_RSS}channel")
    if channel is None:
        raise skill_error("RSS feed without a channel", code="NOT_A_FEED")
    rdf = channel.tag.startswith(RDF_RSS)
    ns = RDF_RSS if rdf else ""
    site = _site(_text(channel, f"{ns}link"), _text(channel, f"{ns}title"), feed_url)
    items = root.findall(f"{RDF_RSS}item") if rdf else channel.findall("item")
    entries = []
    for item in items:
        link = _text(item, f"{ns}link") or _text(item, "guid")
        author = _text(item, "author") or _text(item, f"{DC}creator")
        name, email = author, None
        match = _EMAIL_NAME.match(author or "")
        if match:
            email, name = match.group(1), match.group(2) or None
        description = _text(item, f"{ns}description")
        entries.append({
            "url": urljoin(feed_url, link) if link else None,
            "name": _text(item, f"{ns}title"),
            "remoteId": _text(item, "guid"),
            "published": _date(_text(item, "pubDate") or _text(item, f"{DC}date")),
            "summary": _plain(description),
            "content": _plain(_text(item, f"{CONTENT}encoded") or description),
            "hashtags": [c.text.strip() for c in item.findall("category") if c.text and c.text.strip()],
            "author_name": name,
            "author_email": email,
            "author_uri": None,
        })
    return site, entries


def _plain(html):
    return clean_html(html) if html else None


def _date(text):
    """RSS dates are RFC 822 (``Mon, 06 Sep 2021 16:45:00 +0000``), Atom's RFC 3339."""
    if not text:
        return None
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return parse_date(text) or text
