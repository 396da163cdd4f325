"""Skill discovery from source text (``worker_main.py --discover``), never importing it."""

import json
import subprocess
import sys
import textwrap
import unittest

from _harness import WORKER

from agentos.discover import discover

README = textwrap.dedent('''\
    ---
    id: example-search
    name: Example Search
    description: Search the web with Example's API
    capabilities: [http]
    website: https://example.com
    ---

    # Example Search
''')

SEARCH = textwrap.dedent('''\
    """Example search — a skill in the style of the published ones."""

    from agentos import client, connection, provides, returns, test, timeout, web_search

    BASE = "https://api.example.com"

    connection("api", base_url=BASE, auth={"type": "api_key", "header": {"x-api-key": ".auth.key"}},
               label="API Key", help_url="https://example.com/keys")


    @returns("webpage[]")
    @provides(web_search)
    @timeout(60)
    @test(params={"query": "x"})
    async def search(query: str, limit: int = 10, **params):
        """Search the web.

        Args:
            query: What to look for
            limit: Max results
        """
        resp = await client.post(f"{BASE}/search", json={"query": query, "numResults": limit})
        return resp["json"]["results"]


    async def _shape(item):
        return item
''')


def run_cli(request) -> subprocess.CompletedProcess:
    data = request if isinstance(request, bytes) else json.dumps(request).encode()
    return subprocess.run([sys.executable, "-I", "-S", WORKER, "--discover"], input=data, capture_output=True,
                          timeout=30)


class DiscoverCliTest(unittest.TestCase):
    def test_realistic_skill_is_described_in_one_json_line(self):
        proc = run_cli({"readme": README, "sources": {"search.py": SEARCH}})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.count(b"\n"), 1)
        result = json.loads(proc.stdout)
        self.assertEqual(list(result), ["front_matter", "tools", "connections", "url_literals", "imports",
                                        "capability_calls", "problems", "findings", "services",
                                        "foreign_imports", "shell_programs"])
        self.assertEqual(result["front_matter"], {
            "id": "example-search",
            "name": "Example Search",
            "description": "Search the web with Example's API",
            "capabilities": ["http"],
            "website": "https://example.com",
        })
        self.assertEqual(result["tools"], [{
            "name": "search",
            "file": "search.py",
            "line": 15,
            "description": "Search the web.",
            "doc": "Search the web.\n\nArgs:\n    query: What to look for\n    limit: Max results",
            "params": [
                {"name": "query", "type": "string", "required": True, "default": None,
                 "description": "What to look for"},
                {"name": "limit", "type": "integer", "required": False, "default": 10, "description": "Max results"},
            ],
            "provides": ["web_search"],
            "provides_options": {},
            "returns": "webpage[]",
            "timeout": 60,
            "connection": None,
            "claims": [],
            "tests": [{"params": {"query": "x"}}],
            "test_skip": None,
            "is_async": True,
            "kwargs": True,
            "return_keys": None,
        }])
        self.assertEqual(result["connections"], [{
            "name": "api",
            "base_url": "https://api.example.com",
            "domain": None,
            "auth": {"type": "api_key", "header": {"x-api-key": ".auth.key"}},
            "description": None,
            "label": "API Key",
            "help_url": "https://example.com/keys",
            "optional": None,
            "client": None,
            "vars": None,
            "sqlite": None,
            "options": {},
            "file": "search.py",
            "line": 7,
        }])
        self.assertEqual(result["url_literals"],
                         ["https://api.example.com", "https://example.com/keys", "https://api.example.com/search"])
        self.assertEqual(result["imports"], ["agentos"])
        self.assertEqual(result["problems"], [])

    def test_imports_outside_the_stdlib_and_the_sdk_and_refused_ops_are_reported_with_their_lines(self):
        tools = textwrap.dedent('''\
            import json
            import lxml.html
            from bs4 import BeautifulSoup
            from helpers import shared
            from agentos import graph, returns

            @returns("note")
            async def save(**params):
                await graph.create(shape="note", values={})
                return {}
        ''')
        result = discover(README, {"tools.py": tools, "helpers.py": "shared = 1\n"})
        self.assertEqual(result["foreign_imports"], [
            {"module": "bs4", "file": "tools.py", "line": 3, "optional": False},
            {"module": "lxml", "file": "tools.py", "line": 2, "optional": False},
        ])
        refused = [f for f in result["findings"] if "graph.create" in f["reason"]]
        self.assertEqual([(f["file"], f["line"]) for f in refused], [("tools.py", 9)])
        self.assertIn("refused by the engine", refused[0]["reason"])

    def test_guarded_imports_are_optional_unless_the_handler_raises_or_another_import_is_bare(self):
        tools = textwrap.dedent('''\
            from agentos import returns
            try:
                from lxml import html
            except ImportError:
                html = None
            try:
                import yt_dlp
            except ImportError as error:
                raise ImportError("yt-dlp is required") from error
            try:
                import bs4
            except (ModuleNotFoundError, ValueError):
                bs4 = None
            import bs4.element
            try:
                import fpdf
            except ValueError:
                fpdf = None
        ''')
        result = discover(README, {"tools.py": tools})
        self.assertEqual({i["module"]: i["optional"] for i in result["foreign_imports"]},
                         {"lxml": True, "yt_dlp": False, "bs4": False, "fpdf": False})

    def test_programs_named_by_a_literal_at_shell_run_call_sites_are_listed(self):
        tools = textwrap.dedent('''\
            from agentos import shell
            from agentos import shell as sh
            GIT = "git"
            async def run(binary, **params):
                await shell.run("gh", args=[])
                await sh.run(GIT)
                await shell.run(binary="/usr/bin/security")
                await shell.run(binary)
                await other.run("not-a-program")
        ''')
        result = discover(README, {"tools.py": tools})
        self.assertEqual([p["program"] for p in result["shell_programs"]], ["/usr/bin/security", "gh", "git"])

    def test_malformed_request_exits_1_with_a_message(self):
        for request in (b"not json", {"readme": "x"}, {"sources": {"a.py": 1}}):
            proc = run_cli(request)
            self.assertEqual(proc.returncode, 1)
            self.assertEqual(proc.stdout, b"")
            self.assertIn("agentos discover", proc.stderr.decode())

    def test_discovery_never_executes_skill_code(self):
        evil = "import os\nos.write(1, b'EXECUTED')\nraise SystemExit(3)\n"
        proc = run_cli({"readme": README, "sources": {"evil.py": evil}})
        self.assertEqual(proc.returncode, 0)
        self.assertNotIn(b"EXECUTED", proc.stdout)
        self.assertEqual(json.loads(proc.stdout)["imports"], ["os"])


class CapabilityCallsTest(unittest.TestCase):
    def test_literal_capability_calls_and_llm_helpers_are_listed_and_run_time_names_are_not(self):
        source = textwrap.dedent("""
            import agentos
            from agentos import capability, llm, returns, web_read

            GEO = "geocoding"

            @returns({})
            async def tool(name: str, **params):
                await capability.call(web_read, {"url": "https://example.com"})
                await capability.call(GEO)
                await agentos.capability.call("flight_search")
                await llm.oneshot("hello")
                await capability.call(name)
                await other.call("not_a_capability")

            async def helper():
                from agentos import capability as cap
                await cap.call("email_lookup")
        """)
        result = discover("---\nid: x\n---\n", {"a.py": source})
        self.assertEqual(result["capability_calls"], ["email_lookup", "flight_search", "geocoding", "llm", "web_read"])
        self.assertEqual(result["problems"], [])


class DiscoverProblemsTest(unittest.TestCase):
    def reasons(self, result):
        return [(p["file"], p["line"], p["reason"]) for p in result["problems"]]

    def test_syntax_error_is_a_problem_and_other_files_still_yield_tools(self):
        result = discover(README, {"a_broken.py": "x = 1\ndef f(:\n", "search.py": SEARCH})
        self.assertEqual(self.reasons(result), [("a_broken.py", 2, "Syntax error: invalid syntax")])
        self.assertEqual([t["name"] for t in result["tools"]], ["search"])

    def test_non_literal_decorator_argument_names_the_decorator(self):
        source = textwrap.dedent('''\
            from agentos import provides, returns, timeout
            SHAPE = compute()
            @returns(SHAPE)
            @timeout(LIMIT * 2)
            @provides(make_capability())
            async def tool(**params):
                pass
        ''')
        result = discover(README, {"t.py": source})
        self.assertEqual(self.reasons(result), [
            ("t.py", 3, "@returns argument is not a literal: SHAPE"),
            ("t.py", 4, "@timeout argument is not a literal: LIMIT * 2"),
            ("t.py", 5, "@provides argument is not a literal: make_capability()"),
        ])
        tool = result["tools"][0]
        self.assertEqual((tool["returns"], tool["timeout"], tool["provides"]), (None, None, []))

    def test_sync_tool_is_listed_with_a_problem(self):
        source = "from agentos import returns\n@returns('x')\ndef tool(**params):\n    pass\n"
        result = discover(README, {"t.py": source})
        self.assertEqual(self.reasons(result), [("t.py", 3, "Tool tool must be async def")])
        self.assertFalse(result["tools"][0]["is_async"])

    def test_duplicate_tool_names_across_files_are_a_problem(self):
        tool = "from agentos import returns\n\n@returns('x')\nasync def search(**params):\n    pass\n"
        result = discover(README, {"b.py": tool, "a.py": tool})
        self.assertEqual(self.reasons(result), [("b.py", 4, 'Duplicate tool name "search" (also at a.py:4)')])
        self.assertEqual([(t["name"], t["file"]) for t in result["tools"]], [("search", "a.py")])

    def test_duplicate_connections_are_a_problem(self):
        source = "from agentos import connection\nconnection('api', base_url='https://a.example.com')\n" \
                 "connection('api', base_url='https://b.example.com')\n"
        result = discover(README, {"c.py": source})
        self.assertEqual(self.reasons(result), [("c.py", 3, 'Duplicate connection "api" (also at c.py:2)')])

    def test_readme_without_front_matter_or_with_bad_yaml_is_a_problem(self):
        self.assertEqual(self.reasons(discover("# Title\n", {})),
                         [("readme.md", 1, "readme.md has no YAML front matter")])
        self.assertEqual(self.reasons(discover("---\nid: x\nname: &a y\n---\n", {})),
                         [("readme.md", 3, "anchors, aliases and tags are not supported: '&a y'")])
        self.assertEqual(self.reasons(discover(None, {})), [("readme.md", None, "The skill has no readme.md")])

    def test_unpacked_decorator_arguments_are_a_problem(self):
        source = "from agentos import returns\nOPTS = {}\n@returns(**OPTS)\nasync def t(**params):\n    pass\n"
        result = discover(README, {"t.py": source})
        self.assertEqual(self.reasons(result), [("t.py", 3, "@returns arguments must be written out, not unpacked")])


class DiscoverToolsTest(unittest.TestCase):
    def tool(self, source, name=None):
        result = discover(README, {"s.py": textwrap.dedent(source)})
        tools = {t["name"]: t for t in result["tools"]}
        return tools[name] if name else tools, result

    def test_only_decorated_top_level_public_functions_are_tools(self):
        tools, _ = self.tool('''\
            import functools
            from agentos import returns
            @returns("x")
            async def visible(**params): pass
            @returns("x")
            async def _hidden(**params): pass
            async def undecorated(**params): pass
            @functools.lru_cache
            def cached(): pass
            class Box:
                @returns("x")
                async def method(self, **params): pass
            if True:
                @returns("x")
                async def nested(**params): pass
        ''')
        self.assertEqual(list(tools), ["visible"])

    def test_decorators_are_recognized_through_module_and_alias_imports(self):
        tools, result = self.tool('''\
            import agentos
            from agentos import returns as shape_of, tools as caps
            from agentos.tools import llm
            @agentos.returns("a")
            @agentos.provides(agentos.web_read, caps.web_search, llm, "custom", urls=["x.com/*"], models=["m"])
            async def one(**params): pass
            @shape_of("b")
            async def two(**params): pass
        ''')
        self.assertEqual(result["problems"], [])
        self.assertEqual(tools["one"]["returns"], "a")
        self.assertEqual(tools["one"]["provides"], ["web_read", "web_search", "llm", "custom"])
        self.assertEqual(tools["one"]["provides_options"], {"urls": ["x.com/*"], "models": ["m"]})
        self.assertEqual(tools["two"]["returns"], "b")

    def test_a_local_function_named_like_a_decorator_is_not_the_sdk_one(self):
        tools, _ = self.tool('''\
            def returns(shape):
                return lambda f: f
            @returns("x")
            async def not_a_tool(**params): pass
        ''')
        self.assertEqual(tools, {})

    def test_every_decorator_form_is_read(self):
        tool, result = self.tool('''\
            from agentos import claims, connection, returns, test, timeout
            NAME = "dashboard"
            @returns({"status": "string", "count": "integer"})
            @connection([NAME, "api"])
            @timeout(2.5)
            @claims("primary_user")
            @test.cases({"params": {"a": 1}}, {"params": {"a": 2}, "account": "me@x.com"}, {"account": "y"})
            @test.skip(reason="destructive")
            @test
            async def check(**params): pass
        ''', "check")
        self.assertEqual(result["problems"], [])
        self.assertEqual(tool["returns"], {"status": "string", "count": "integer"})
        self.assertEqual(tool["connection"], ["dashboard", "api"])
        self.assertEqual(tool["timeout"], 2.5)
        self.assertEqual(tool["claims"], ["primary_user"])
        self.assertEqual(tool["tests"], [{"params": {"a": 1}}, {"params": {"a": 2}, "account": "me@x.com"},
                                         {"account": "y", "params": {}}, {"params": {}}])
        self.assertEqual(tool["test_skip"], {"reason": "destructive"})

    def test_param_types_defaults_and_docs(self):
        tool, _ = self.tool('''\
            from typing import Dict, List, Optional, Union
            from agentos import returns
            DEFAULT_LIMIT = 25
            @returns("x")
            async def typed(a: str, b: int, c: float, d: bool, e: list, f: List[str], g: dict, h: Dict[str, int],
                            i: Optional[int] = None, j: "str | None" = None, k: Union[str, None] = "k",
                            l=DEFAULT_LIMIT, m: object = None, n: Union[int, str] = 1, *,
                            o: list[dict] = [], p=-1.5, **params):
                """Typed.

                Arguments:
                    a (str): First
                        continued.
                    o: Last one.

                Returns:
                    a: not a parameter
                """
        ''', "typed")
        params = {p["name"]: p for p in tool["params"]}
        self.assertEqual({n: p["type"] for n, p in params.items()}, {
            "a": "string", "b": "integer", "c": "number", "d": "boolean", "e": "array", "f": "array",
            "g": "object", "h": "object", "i": "integer", "j": "string", "k": "string", "l": None, "m": None,
            "n": None, "o": "array", "p": None,
        })
        self.assertEqual([n for n, p in params.items() if p["required"]], ["a", "b", "c", "d", "e", "f", "g", "h"])
        self.assertEqual((params["k"]["default"], params["l"]["default"], params["o"]["default"],
                          params["p"]["default"]), ("k", 25, [], -1.5))
        self.assertEqual((params["a"]["description"], params["o"]["description"]), ("First continued.", "Last one."))
        self.assertIsNone(params["b"]["description"])

    def test_url_literals_cover_constants_fstrings_and_concatenation(self):
        _, result = self.tool('''\
            from agentos import client
            API = "https://api.example.com/v1"
            DOCS = "see https://docs.example.com for more"
            async def f(x):
                await client.get(f"{API}/items/{x}")
                await client.get(API + "/users/" + x)
                await client.get(f"https://cdn.example.net/{x}.png")
                await client.get(f"https://{x}.example.org/")
                return "http://localhost:8080/health"
        ''')
        self.assertEqual(result["url_literals"], [
            "https://api.example.com/v1",
            "https://api.example.com/v1/items/",
            "https://api.example.com/v1/users/",
            "https://cdn.example.net/",
            "http://localhost:8080/health",
        ])

    def test_imports_are_top_level_names_without_relative_ones(self):
        _, result = self.tool('''\
            import os.path, json as j
            from urllib.parse import quote
            from . import sibling
            from .pkg import thing
            async def f():
                import sqlite3
        ''')
        self.assertEqual(result["imports"], ["json", "os", "sqlite3", "urllib"])

    def test_connection_fields_and_options(self):
        _, result = self.tool('''\
            import agentos
            agentos.connection(
                "dashboard",
                base_url="https://dashboard.example.com",
                domain="example.com",
                client="browser",
                optional=True,
                auth={"type": "cookies", "names": ["session"], "account": {"check": "check_session"}},
                vars={"region": "us"},
                needs=["cookies"],
            )
        ''')
        conn = result["connections"][0]
        self.assertEqual((conn["name"], conn["client"], conn["optional"], conn["vars"], conn["options"]),
                         ("dashboard", "browser", True, {"region": "us"}, {"needs": ["cookies"]}))
        self.assertEqual(conn["auth"]["account"], {"check": "check_session"})


if __name__ == "__main__":
    unittest.main()


class ReadDirTest(unittest.TestCase):
    def setUp(self):
        import tempfile

        self.dir = tempfile.mkdtemp(prefix="agentos-read-dir-")

    def tearDown(self):
        import shutil

        shutil.rmtree(self.dir)

    def write(self, path, text):
        import os

        full = os.path.join(self.dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as handle:
            handle.write(text)

    def test_reads_readme_and_py_files_skipping_hidden_cache_and_symlinks(self):
        import os

        from agentos.discover import read_dir

        self.write("readme.md", README)
        self.write("search.py", SEARCH)
        self.write("lib/util.py", "X = 1\n")
        self.write(".hidden/x.py", "secret = 1\n")
        self.write("__pycache__/y.py", "y = 1\n")
        self.write("data.json", "{}")
        os.symlink("/etc/hostname", os.path.join(self.dir, "link.py"))
        readme, sources, problems = read_dir(self.dir)
        self.assertEqual(readme, README)
        self.assertEqual(sorted(sources), ["lib/util.py", "search.py"])
        self.assertEqual(problems, [])

    def test_stops_at_the_size_limit_with_a_problem_per_skipped_file(self):
        from agentos import discover

        self.write("a.py", "a = 1\n" * 10)
        self.write("b.py", "b = 2\n" * 10)
        original = discover.MAX_SOURCE_BYTES
        discover.MAX_SOURCE_BYTES = 80
        try:
            _, sources, problems = discover.read_dir(self.dir)
        finally:
            discover.MAX_SOURCE_BYTES = original
        self.assertEqual(sorted(sources), ["a.py"])
        self.assertEqual(problems[0]["file"], "b.py")
        self.assertIn("exceed", problems[0]["reason"])

    def test_cli_prints_the_description_with_the_files_text(self):
        self.write("readme.md", README)
        self.write("search.py", SEARCH)
        proc = subprocess.run([sys.executable, "-I", "-S", WORKER, "--read-dir", self.dir], capture_output=True,
                              timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        result = json.loads(proc.stdout)
        self.assertEqual([t["name"] for t in result["tools"]], ["search"])
        self.assertEqual(result["readme"], README)
        self.assertEqual(result["sources"], {"search.py": SEARCH})

    def test_cli_exits_3_for_a_missing_directory(self):
        proc = subprocess.run([sys.executable, "-I", "-S", WORKER, "--read-dir", self.dir + "/nope"],
                              capture_output=True, timeout=30)
        self.assertEqual(proc.returncode, 3)
