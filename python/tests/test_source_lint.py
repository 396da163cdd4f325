"""Static facts about skill source (``agentos._source_lint``), for the engine's skill checks."""

import textwrap
import unittest

import _harness  # noqa: F401 — puts the SDK on sys.path

from agentos._source_lint import lint

SOURCE = textwrap.dedent('''\
    import asyncio
    import time
    import requests
    from agentos import client, returns, sql
    import agentos


    async def helper(x):
        return x


    @returns("task")
    async def good(q: str, **params):
        """Awaits everything it calls."""
        await client.get("/x")
        await asyncio.gather(helper(1), helper(2))
        return {"name": q, "done": False}


    @returns("task[]")
    async def bad(q):
        time.sleep(1)
        client.get("/x")
        helper(3)
        rows = agentos.sql.query("select 1")
        return [{"name": 1, "weird": 2}]


    def sync_tool():
        client.post("/y")
''')


class LintTest(unittest.TestCase):
    def setUp(self):
        self.facts = lint("s.py", SOURCE)
        self.reasons = {(f["line"], f["reason"]) for f in self.facts["findings"]}

    def test_banned_imports_are_named_with_their_line(self):
        self.assertIn((3, 'Import of "requests" is not allowed: the sandbox has no network; use agentos.client'),
                      self.reasons)

    def test_sdk_and_local_coroutines_called_without_await(self):
        self.assertIn((23, "bad() calls client.get() without await: add await"), self.reasons)
        self.assertIn((24, "bad() calls helper() without await: add await"), self.reasons)
        self.assertIn((25, "bad() calls sql.query() without await: add await"), self.reasons)
        self.assertIn((30, "sync_tool() calls client.post() but is not async: make it async def and await the call"),
                      self.reasons)
        self.assertFalse([f for f in self.facts["findings"] if f["line"] in range(13, 18)],
                         "awaited and gathered calls are fine")

    def test_blocking_sleep_in_async_code(self):
        self.assertIn((22, "time.sleep() in async bad() blocks the worker: use await asyncio.sleep()"), self.reasons)

    def test_tool_facts_and_services(self):
        self.assertEqual(self.facts["tools"]["good"], {"kwargs": True, "return_keys": ["done", "name"]})
        self.assertEqual(self.facts["tools"]["bad"], {"kwargs": False, "return_keys": ["name", "weird"]})
        self.assertEqual(self.facts["services"], {"http": 15, "sql": 25})

    def test_a_file_that_does_not_parse_yields_nothing(self):
        self.assertEqual(lint("x.py", "def broken(:\n"), {"findings": [], "tools": {}, "services": {}, "imports": {},
                                                           "programs": {}})


if __name__ == "__main__":
    unittest.main()
