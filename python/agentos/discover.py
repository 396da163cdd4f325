"""Describe a skill from its source text, without importing any of it.

``python3 -I -S worker_main.py --discover`` reads
``{"readme": "<readme.md>", "sources": {"relpath.py": "<text>", ...}}`` on
stdin and writes one JSON line::

    {"front_matter": {...}, "tools": [...], "connections": [...],
     "url_literals": [...], "imports": [...], "capability_calls": [...],
     "problems": [...], "findings": [...], "services": {...},
     "foreign_imports": [...], "shell_programs": [...]}

``findings``, ``services``, ``foreign_imports`` (each with ``optional``),
``shell_programs`` and each tool's ``kwargs`` and ``return_keys`` come from :mod:`agentos._source_lint`, for the engine's skill checks.

A tool is a top-level ``def``/``async def`` carrying an SDK decorator
(``returns``, ``provides``, ``connection``, ``timeout``, ``test``,
``claims``; bare or as ``agentos.returns``), whose name does not start with
``_``. Problems (syntax errors, non-literal decorator arguments, sync tools,
duplicate names, bad front matter) are reported, never raised: one broken
file does not hide the tools of the others. ``capability_calls`` lists the
capabilities the source calls by a literal name (``capability.call("web_read",
...)``, ``llm.oneshot(...)``): together with the readme's ``uses:`` they are
the capabilities the skill may call.
"""

import json
import sys

from agentos import _front_matter
from agentos._source_lint import lint
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
    tools, connections, urls, imports, uses = [], [], [], set(), set()
    findings, services, foreign, programs = [], {}, {}, {}
    first_tool, first_connection = {}, {}
    for path in sorted(p for p in sources if p.endswith(".py")):
        scan = FileScan(path, sources[path]).run()
        problems.extend(scan.problems)
        facts = lint(path, sources[path])
        findings.extend(facts["findings"])
        for service, line in facts["services"].items():
            services.setdefault(service, {"file": path, "line": line})
        for module, seen in facts["imports"].items():
            entry = foreign.setdefault(module, {"module": module, "file": path, "line": seen["line"],
                                                "optional": seen["optional"]})
            entry["optional"] = entry["optional"] and seen["optional"]
        for program, line in facts["programs"].items():
            programs.setdefault(program, {"program": program, "file": path, "line": line})
        for tool in scan.tools:
            tool.update(facts["tools"].get(tool["name"], {}))
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
        uses |= scan.capability_uses
    return {
        "front_matter": front_matter,
        "tools": tools,
        "connections": connections,
        "url_literals": list(dict.fromkeys(urls)),
        "imports": sorted(imports),
        "capability_calls": sorted(uses),
        "problems": problems,
        "findings": findings,
        "services": services,
        # Imports of neither the standard library, the SDK nor the skill's own modules.
        # Optional ones are imported only under try/except ImportError (the skill runs without them).
        "foreign_imports": [v for k, v in sorted(foreign.items()) if k not in _own_modules(sources)],
        # Programs named by a literal at a shell.run call site (the owner's --run grant permits them).
        "shell_programs": [v for _, v in sorted(programs.items())],
    }


def _own_modules(sources):
    """Top-level module names the skill's own files provide (``helpers.py``, ``lib/``)."""
    names = set()
    for path in sources:
        first = path.split("/")[0]
        names.add(first[:-3] if first.endswith(".py") else first)
    return names


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


MAX_SOURCE_BYTES = 4 * 1024 * 1024
"""Most bytes of readme and ``.py`` text read from one skill directory."""

MAX_FILES = 256
"""Most ``.py`` files read from one skill directory."""

MAX_DEPTH = 4
"""Deepest subdirectory searched for ``.py`` files (the skill's root is 0)."""

_README_NAMES = ("readme.md", "README.md", "Readme.md")
_SKIPPED_DIRS = ("__pycache__", "node_modules")


def read_dir(root: str):
    """``(readme, sources, problems)`` read from a skill directory.

    The walk is bounded (``MAX_FILES``, ``MAX_DEPTH``, ``MAX_SOURCE_BYTES``),
    skips hidden entries, ``__pycache__`` and ``node_modules``, and follows no
    symbolic link. Files that are not UTF-8 or push the total past the limit
    are skipped with a problem naming them.
    """
    import os

    problems = []
    budget = [MAX_SOURCE_BYTES]

    def read(path, rel):
        try:
            size = os.stat(path, follow_symlinks=False).st_size
            if size > budget[0]:
                problems.append({"file": rel, "line": None,
                                 "reason": f"Skipped: the skill's sources exceed {MAX_SOURCE_BYTES} bytes"})
                return None
            with open(path, "rb") as handle:
                data = handle.read(budget[0] + 1)
            budget[0] -= len(data)
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append({"file": rel, "line": None, "reason": f"Skipped: not UTF-8 text ({error.reason})"})
        except OSError as error:
            problems.append({"file": rel, "line": None, "reason": f"Skipped: cannot read ({error.strerror})"})
        return None

    if not os.path.isdir(root):
        raise FileNotFoundError(f'Skill directory "{root}" does not exist or is not a directory')
    readme = None
    for name in _README_NAMES:
        path = os.path.join(root, name)
        if os.path.isfile(path) and not os.path.islink(path):
            readme = read(path, "readme.md")
            break
    sources = {}
    pending = [("", 0)]
    while pending:
        rel_dir, depth = pending.pop(0)
        try:
            entries = sorted(os.scandir(os.path.join(root, rel_dir)), key=lambda e: e.name)
        except OSError as error:
            problems.append({"file": rel_dir or ".", "line": None, "reason": f"Cannot list ({error.strerror})"})
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _SKIPPED_DIRS and depth < MAX_DEPTH:
                    pending.append((rel, depth + 1))
            elif entry.name.endswith(".py") and entry.is_file(follow_symlinks=False):
                if len(sources) >= MAX_FILES:
                    problems.append({"file": rel, "line": None, "reason": f"Skipped: more than {MAX_FILES} .py files"})
                    continue
                text = read(entry.path, rel)
                if text is not None:
                    sources[rel] = text
    return readme, sources, problems


def main_read_dir(root: str) -> int:
    """CLI: describe the skill at ``root``; the JSON line also carries ``readme`` and ``sources``."""
    from agentos._wire import encode

    try:
        readme, sources, read_problems = read_dir(root)
    except FileNotFoundError as error:
        sys.stderr.write(f"agentos discover: {error}\n")
        return 3
    described = discover(readme, sources)
    described["problems"] = read_problems + described["problems"]
    described["readme"] = readme
    described["sources"] = sources
    sys.stdout.buffer.write(encode(described))
    sys.stdout.buffer.flush()
    return 0
