"""Describe a skill from its source text, without importing any of it.

``python3 -I -S worker_main.py --discover`` reads
``{"readme": "<readme.md>", "sources": {"relpath.py": "<text>", ...}}`` on
stdin and writes one JSON line::

    {"front_matter": {...}, "tools": [...], "connections": [...],
     "url_literals": [...], "imports": [...], "problems": [...]}

A tool is a top-level ``def``/``async def`` carrying an SDK decorator
(``returns``, ``provides``, ``connection``, ``timeout``, ``test``,
``claims``; bare or as ``agentos.returns``), whose name does not start with
``_``. Problems (syntax errors, non-literal decorator arguments, sync tools,
duplicate names, bad front matter) are reported, never raised: one broken
file does not hide the tools of the others.
"""

import json
import sys

from agentos import _front_matter
from agentos._source_scan import FileScan


def discover(readme, sources: dict) -> dict:
    """The description of a skill (see the module docstring for its fields).

    Args:
        readme: Text of readme.md, or None when the skill has none.
        sources: ``{relative path: source text}``; only ``.py`` files are read.
    """
    problems = []
    front_matter = {}
    if readme is None:
        problems.append({"file": "readme.md", "line": None, "reason": "The skill has no readme.md"})
    else:
        try:
            parsed = _front_matter.parse(readme)
        except _front_matter.FrontMatterError as error:
            problems.append({"file": "readme.md", "line": error.line, "reason": error.reason})
        else:
            if parsed is None:
                problems.append({"file": "readme.md", "line": 1, "reason": "readme.md has no YAML front matter"})
            else:
                front_matter = parsed
    tools, connections, urls, imports = [], [], [], set()
    first_tool, first_connection = {}, {}
    for path in sorted(p for p in sources if p.endswith(".py")):
        scan = FileScan(path, sources[path]).run()
        problems.extend(scan.problems)
        for tool in scan.tools:
            earlier = first_tool.setdefault(tool["name"], tool)
            if earlier is tool:
                tools.append(tool)
            else:
                problems.append({
                    "file": path,
                    "line": tool["line"],
                    "reason": f'Duplicate tool name "{tool["name"]}" (also at {earlier["file"]}:{earlier["line"]})',
                })
        for conn in scan.connections:
            earlier = first_connection.setdefault(conn["name"], conn)
            if earlier is conn:
                connections.append(conn)
            else:
                problems.append({
                    "file": path,
                    "line": conn["line"],
                    "reason": f'Duplicate connection "{conn["name"]}" (also at {earlier["file"]}:{earlier["line"]})',
                })
        urls.extend(url for _, _, url in sorted(scan.urls))
        imports |= scan.imports
    return {
        "front_matter": front_matter,
        "tools": tools,
        "connections": connections,
        "url_literals": list(dict.fromkeys(urls)),
        "imports": sorted(imports),
        "problems": problems,
    }


def main() -> int:
    """CLI: JSON request on stdin, one JSON line on stdout; 1 on a malformed request."""
    from agentos._wire import encode

    try:
        request = json.loads(sys.stdin.buffer.read())
    except ValueError as error:
        sys.stderr.write(f"agentos discover: stdin is not JSON: {error}\n")
        return 1
    sources = request.get("sources") if isinstance(request, dict) else None
    readme = request.get("readme") if isinstance(request, dict) else None
    if not isinstance(sources, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in sources.items()):
        sys.stderr.write('agentos discover: expected {"readme": "...", "sources": {"file.py": "text"}}\n')
        return 1
    if readme is not None and not isinstance(readme, str):
        sys.stderr.write("agentos discover: readme must be a string\n")
        return 1
    sys.stdout.buffer.write(encode(discover(readme, sources)))
    sys.stdout.buffer.flush()
    return 0
