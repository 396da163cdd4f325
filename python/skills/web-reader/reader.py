"""Read a web page: fetch it and extract readable text with html.parser."""

from datetime import datetime, timezone
from urllib.parse import urlsplit

from agentos import client, provides, returns, skill_error, test, timeout, web_read

from extract import extract

MAX_CONTENT_CHARS = 200_000


@returns("webpage")
@provides(web_read, description="Fetch a web page and return its readable text")
@timeout(60)
@test(params={"url": "https://example.com/"})
async def read_page(url: str, **params):
    """Fetch a web page and return its title, description and readable text.

    Args:
        url: The page's address (http or https)
    """
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        raise skill_error(f"Not an http(s) URL: {url!r}", code="BAD_URL")
    resp = await client.get(url, headers={"Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8"})
    if not resp["ok"]:
        raise skill_error(f"{url} answered HTTP {resp['status']}", code=f"HTTP_{resp['status']}")
    content_type = resp["headers"].get("content-type", "").split(";")[0].strip().lower()
    final_url = resp["url"] or url
    host = (urlsplit(final_url).hostname or "").lower()
    if content_type in ("text/plain", "text/markdown"):
        page = {"title": None, "text": resp["body"], "description": None, "language": None, "site_name": None,
                "image": None, "published": None, "canonical": None}
    elif "html" in content_type or not content_type:
        page = extract(resp["body"])
    else:
        raise skill_error(f"{final_url} is {content_type}, not a web page", code="NOT_HTML")
    text = page["text"][:MAX_CONTENT_CHARS]
    record = {
        "url": page["canonical"] or final_url,
        "name": page["title"] or final_url,
        "summary": page["description"] or text[:280] or None,
        "content": text,
        "siteName": page["site_name"],
        "language": page["language"],
        "contentType": content_type or "text/html",
        "wordCount": len(text.split()),
        "image": page["image"],
        "published": page["published"],
        "lastVisitedAt": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if host:
        record["at"] = {"domain": host.removeprefix("www."), "url": f"{urlsplit(final_url).scheme}://{host}/",
                        "name": page["site_name"] or host}
    return {key: value for key, value in record.items() if value is not None}
