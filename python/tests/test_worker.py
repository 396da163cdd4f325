"""The worker over its real wire protocol: a subprocess, the test as engine."""

import json
import random
import textwrap
import unittest

from _harness import Worker, run_tool


def skill(text: str) -> str:
    return textwrap.dedent(text).lstrip()


HTTP_SKILL = skill('''
    import asyncio
    from agentos import client, connection, returns

    connection("api", base_url="https://api.example.com/v1", auth={"type": "api_key"})

    @returns("item[]")
    async def fetch_many(count: int, **params):
        responses = await asyncio.gather(*(client.get(f"/items/{i}") for i in range(count)))
        return [r["json"]["n"] for r in responses]

    @returns("item")
    async def fetch_one(path: str, **params):
        r = await client.get(path, params={"q": "x"}, headers={"X-Num": 7})
        return {"status": r["status"], "ok": r["ok"], "url": r["url"], "headers": r["headers"],
                "json": r["json"], "body": r["body"]}
''')


class WorkerLifecycleTest(unittest.TestCase):
    def test_worker_says_ready_with_its_pid_before_any_call(self):
        with Worker() as worker:
            message = worker.ready()
            self.assertEqual(message, {"__type__": "ready", "pid": worker.proc.pid})

    def test_worker_exits_quietly_when_stdin_closes_before_a_call(self):
        with Worker() as worker:
            worker.ready()
            worker.close_stdin()
            self.assertIsNone(worker.recv_line())
            self.assertEqual(worker.wait(), 0)
            self.assertEqual(worker.stderr, "")

    def test_garbage_line_from_engine_gives_error_result_and_exit_1(self):
        with Worker() as worker:
            worker.ready()
            worker.send_raw(b"this is not json\n")
            result = worker.recv()
            self.assertEqual(result["__type__"], "result")
            self.assertIsNone(result["id"])
            self.assertFalse(result["ok"])
            self.assertEqual(result["error"]["type"], "ProtocolError")
            self.assertEqual(worker.wait(), 1)

    def test_garbage_line_during_a_dispatch_gives_error_result_and_exit_1(self):
        with Worker() as worker:
            worker.call(HTTP_SKILL, "fetch_one", {"path": "/x"})
            self.assertEqual(worker.recv()["op"], "http.request")
            worker.send_raw(b"{broken\n")
            result = worker.recv()
            self.assertEqual((result["id"], result["ok"], result["error"]["type"]), ("c-1", False, "ProtocolError"))
            self.assertEqual(worker.wait(), 1)

    def test_line_over_16_mib_from_engine_is_refused_without_reading_it_all(self):
        with Worker() as worker:
            worker.ready()
            worker.send_raw(b"x" * (16 * 1024 * 1024 + 10))
            result = worker.recv()
            self.assertEqual(result["error"]["type"], "ProtocolError")
            self.assertIn("exceeds the 16777216 byte limit", result["error"]["message"])
            self.assertEqual(worker.wait(), 1)

    def test_call_without_module_is_a_protocol_error_carrying_the_call_id(self):
        with Worker() as worker:
            worker.ready()
            worker.send({"__type__": "call", "id": "c-9", "function": "f", "sources": {}})
            result = worker.recv()
            self.assertEqual((result["id"], result["error"]["type"]), ("c-9", "ProtocolError"))
            self.assertEqual(worker.wait(), 1)

    def test_call_with_a_boolean_or_missing_id_is_a_protocol_error(self):
        # True == 1 in Python: a boolean id would be answered as call 1.
        for call_id in (True, None, 1.5):
            with self.subTest(call_id=call_id), Worker() as worker:
                worker.ready()
                worker.send({"__type__": "call", "id": call_id, "module": "m", "function": "f", "sources": {}})
                result = worker.recv()
                self.assertEqual((result["id"], result["error"]["type"]), (None, "ProtocolError"))
                self.assertIn("Call has no usable id", result["error"]["message"])
                self.assertEqual(worker.wait(), 1)

    def test_result_is_the_last_line_and_exit_code_is_0(self):
        source = "from agentos import returns\n@returns('x')\nasync def hello(name: str):\n    return f'hi {name}'\n"
        with Worker() as worker:
            worker.call(source, "hello", {"name": "Ada"}, call_id="c-42")
            self.assertEqual(worker.recv(), {"__type__": "result", "id": "c-42", "ok": True, "value": "hi Ada"})
            self.assertIsNone(worker.recv_line())
            self.assertEqual(worker.wait(), 0)


class DispatchTest(unittest.TestCase):
    def test_twenty_concurrent_gets_are_answered_out_of_order(self):
        with Worker() as worker:
            worker.call(HTTP_SKILL, "fetch_many", {"count": 20})
            dispatches = [worker.recv() for _ in range(20)]
            self.assertEqual({d["op"] for d in dispatches}, {"http.request"})
            self.assertEqual(len({d["id"] for d in dispatches}), 20)
            random.Random(7).shuffle(dispatches)
            for d in dispatches:
                n = int(d["params"]["url"].rsplit("/", 1)[1])
                worker.answer(d, {"status": 200, "headers": {}, "body": json.dumps({"n": n * 10})})
            result = worker.result()
            self.assertEqual(result["value"], [n * 10 for n in range(20)])
            self.assertEqual(worker.wait(), 0)

    def test_relative_url_resolves_against_the_connection_base_url(self):
        with Worker() as worker:
            worker.call(HTTP_SKILL, "fetch_one", {"path": "/search"})
            dispatch = worker.recv()
            self.assertEqual(dispatch["params"], {
                "method": "GET",
                "url": "https://api.example.com/v1/search",
                "params": {"q": "x"},
                "headers": {"X-Num": "7"},
                "json": None,
                "data": None,
                "timeout": None,
                "connection": "api",
            })
            worker.answer(dispatch, {
                "status": 201,
                "url": "https://api.example.com/v1/search?q=x",
                "headers": {"Content-Type": "application/json", "X-Req": "1"},
                "body": '{"a": [1, 2]}',
            })
            value = worker.result()["value"]
            self.assertEqual(value["status"], 201)
            self.assertTrue(value["ok"])
            self.assertEqual(value["url"], "https://api.example.com/v1/search?q=x")
            self.assertEqual(value["headers"], {"content-type": "application/json", "x-req": "1"})
            self.assertEqual(value["json"], {"a": [1, 2]})
            self.assertEqual(value["body"], '{"a": [1, 2]}')

    def test_absolute_url_is_left_alone_and_non_json_body_gives_json_none(self):
        with Worker() as worker:
            worker.call(HTTP_SKILL, "fetch_one", {"path": "https://other.example.org/x"})
            dispatch = worker.recv()
            self.assertEqual(dispatch["params"]["url"], "https://other.example.org/x")
            worker.answer(dispatch, {"status": 404, "headers": {}, "body": "<html>nope</html>"})
            value = worker.result()["value"]
            self.assertEqual((value["ok"], value["json"], value["url"]), (False, None, "https://other.example.org/x"))

    def test_dispatch_error_is_raised_in_the_skill_as_DispatchError(self):
        source = skill('''
            from agentos import DispatchError, client, returns
            @returns("x")
            async def guarded(**params):
                try:
                    await client.get("https://blocked.example.com/")
                except DispatchError as error:
                    return {"code": error.code, "message": error.message, "is_exception": isinstance(error, Exception)}
            @returns("x")
            async def unguarded(**params):
                await client.get("https://blocked.example.com/")
        ''')
        with Worker() as worker:
            worker.call(source, "guarded")
            worker.answer(worker.recv(), error={"code": -32010, "message": "Host not declared"})
            self.assertEqual(worker.result()["value"],
                             {"code": -32010, "message": "Host not declared", "is_exception": True})
        with Worker() as worker:
            worker.call(source, "unguarded")
            worker.answer(worker.recv(), error={"code": -32010, "message": "Host not declared"})
            error = worker.result()["error"]
            self.assertEqual((error["type"], error["code"], error["message"]),
                             ("DispatchError", -32010, "Host not declared"))
            self.assertIn('File "/skill/skill.py"', error["traceback"])

    def test_secrets_sql_capability_and_graph_dispatch_their_ops(self):
        source = skill('''
            from agentos import capability, graph, llm, returns, secrets, sql
            @returns("x")
            async def many(**params):
                return [
                    await secrets.read(domain="example.com"),
                    await sql.query("SELECT 1", db="~/x.db", params={"a": 1}),
                    await sql.query("SELECT 2", "~/y.db"),
                    await capability.call("web_search", {"query": "q"}),
                    await graph.create(shape="task", values={"name": "n"}),
                    await llm.oneshot(prompt="hi", model="small"),
                ]
        ''')
        with Worker() as worker:
            worker.call(source, "many")
            seen = []
            for index in range(6):
                dispatch = worker.recv()
                seen.append((dispatch["op"], dispatch["params"]))
                worker.answer(dispatch, index)
            self.assertEqual(worker.result()["value"], [0, 1, 2, 3, 4, 5])
        self.assertEqual(seen, [
            ("secrets.read", {"domain": "example.com", "identifier": None, "connection": None}),
            ("sql.query", {"sql": "SELECT 1", "params": {"a": 1}, "db": "~/x.db"}),
            ("sql.query", {"sql": "SELECT 2", "params": None, "db": "~/y.db"}),
            ("capability.call", {"name": "web_search", "params": {"query": "q"}}),
            ("graph.create", {"shape": "task", "values": {"name": "n"}}),
            ("capability.call", {"name": "llm", "params": {"model": "small", "messages": [
                {"role": "user", "content": "hi"}], "system": "", "temperature": 0}, "verb": "oneshot"}),
        ])

    def test_llm_agent_sends_messages_and_normalizes_the_answer(self):
        source = skill('''
            from agentos import llm, returns
            @returns({"out": "object"})
            async def ask(**params):
                return await llm.agent(prompt="plan", tools=["exa.search"], output_schema={"type": "object"})
        ''')
        with Worker() as worker:
            worker.call(source, "ask")
            dispatch = worker.recv()
            worker.answer(dispatch, {"content": "done", "num_turns": 3, "structured_output": {"a": 1}})
            result = worker.result()["value"]
        self.assertEqual(dispatch["params"], {"name": "llm", "verb": "agent", "params": {
            "model": "sonnet", "messages": [{"role": "user", "content": "plan"}], "system": "",
            "tools": ["exa.search"], "temperature": 0, "max_iterations": 20, "output_schema": {"type": "object"}}})
        self.assertEqual(result, {"content": "done", "data": {"a": 1}, "usage": {}, "iterations": 3,
                                  "tool_calls": [], "error": None})

    def test_every_name_published_skills_import_resolves(self):
        # The names an AST scan of agentos-to/skills found (reference/agentos.md section 3).
        source = skill('''
            from agentos import (api_key, cdp_access, claims, clean_html, client, connection, cookie_auth,
                                 credentials, crypto, email_lookup, file_info, file_list, file_read, flight_search,
                                 geocoding, http, iso_from_ms, llm, login_credentials, molt, normalize_email,
                                 normalize_handle, oauth, oauth_auth, parse_date, parse_int, password, provides,
                                 returns, shell, skill_error, skill_result, skill_secret, sql, test, timeout, url,
                                 web_read, web_search)
            from agentos.tools import llm as llm_constant
            from agentos.macos import keychain, plist
            async def ok(**params):
                return [llm == llm_constant == "llm", web_search, molt(" <b>x</b> ")]
        ''')
        self.assertEqual(run_tool(source, "ok")[0]["value"], [True, "web_search", "x"])

    def test_oauth_exchange_posts_a_form_and_crypto_decodes_hex(self):
        source = skill('''
            from agentos import crypto, oauth
            async def tokens(**params):
                token = await oauth.exchange("https://oauth.example.com/token", "r-1", "client-1")
                plain = await crypto.aes(key="00", data="ff")
                return [token, plain.decode()]
        ''')
        with Worker() as worker:
            worker.call(source, "tokens")
            post = worker.recv()
            form = {"grant_type": "refresh_token", "refresh_token": "r-1", "client_id": "client-1"}
            self.assertEqual((post["op"], post["params"]["method"], post["params"]["data"]),
                             ("http.request", "POST", form))
            worker.answer(post, {"status": 200, "headers": {}, "body": '{"access_token": "a-1"}'})
            aes = worker.recv()
            self.assertEqual((aes["op"], aes["params"]), ("crypto.aes", {"key": "00", "data": "ff"}))
            worker.answer(aes, "6869")
            self.assertEqual(worker.result()["value"], [{"access_token": "a-1"}, "hi"])

    def test_log_and_progress_are_fire_and_forget(self):
        source = skill('''
            from agentos import log, progress, returns
            @returns("x")
            async def noisy(**params):
                log("starting")
                log.warning("careful", step=1)
                await log.info("awaited")
                progress(1, total=2, message="half")
                return "done"
        ''')
        with Worker() as worker:
            worker.call(source, "noisy")
            messages = [worker.recv() for _ in range(5)]
        self.assertEqual([(m["__type__"], m.get("op"), m.get("params")) for m in messages], [
            ("dispatch", "log", {"level": "info", "message": "starting"}),
            ("dispatch", "log", {"level": "warning", "message": "careful", "fields": {"step": 1}}),
            ("dispatch", "log", {"level": "info", "message": "awaited"}),
            ("dispatch", "progress", {"progress": 1, "total": 2, "message": "half"}),
            ("result", None, None),
        ])
        self.assertEqual(messages[-1]["value"], "done")

    def test_engine_closing_stdin_mid_call_fails_the_pending_dispatch(self):
        with Worker() as worker:
            worker.call(HTTP_SKILL, "fetch_one", {"path": "/x"})
            worker.recv()
            worker.close_stdin()
            error = worker.result()["error"]
            self.assertEqual(error["type"], "DispatchError")
            self.assertIn("closed", error["message"])


class ToolInvocationTest(unittest.TestCase):
    def test_print_inside_a_tool_goes_to_stderr_not_the_wire(self):
        source = skill('''
            import os, sys
            from agentos import returns
            print("module level print")
            @returns("x")
            async def chatty(**params):
                print("hello from the tool")
                sys.stdout.write("raw write\\n")
                os.write(1, b"fd 1 write\\n")
                return {"quiet": input() if False else sys.stdin.read()}
        ''')
        result, code, stderr = run_tool(source, "chatty")
        self.assertEqual(result["value"], {"quiet": ""})
        self.assertEqual(code, 0)
        for text in ("module level print", "hello from the tool", "raw write", "fd 1 write"):
            self.assertIn(text, stderr)

    def test_skills_can_import_ssl_although_the_worker_skips_it(self):
        source = "import ssl\nasync def tls(**params):\n    return ssl.PROTOCOL_TLS_CLIENT is not None\n"
        self.assertTrue(run_tool(source, "tls")[0]["value"])

    def test_raised_skill_error_reports_type_message_and_fields(self):
        source = skill('''
            from agentos import returns, skill_error
            @returns("x")
            async def fails(**params):
                raise skill_error("Missing key", code="NEEDS_CREDENTIALS", help_url="https://x.example/keys")
        ''')
        result, code, _ = run_tool(source, "fails")
        error = result["error"]
        self.assertEqual((result["ok"], code), (False, 0))
        self.assertEqual((error["type"], error["message"], error["code"]),
                         ("SkillError", "Missing key", "NEEDS_CREDENTIALS"))
        self.assertEqual(error["fields"], {"code": "NEEDS_CREDENTIALS", "help_url": "https://x.example/keys"})
        self.assertIn("line 4, in fails", error["traceback"])

    def test_returned_skill_error_is_also_a_tool_error(self):
        source = skill('''
            from agentos import returns, skill_error
            @returns("x")
            async def fails(**params):
                return skill_error("Not found", code="NOT_FOUND")
        ''')
        result, _, _ = run_tool(source, "fails")
        self.assertFalse(result["ok"])
        self.assertEqual(result["error"], {"type": "SkillError", "message": "Not found", "code": "NOT_FOUND",
                                           "fields": {"code": "NOT_FOUND"}})

    def test_exception_gives_type_message_and_a_traceback_of_skill_frames(self):
        source = skill('''
            from agentos import returns
            def helper(x):
                return {}[x]
            @returns("x")
            async def boom(**params):
                return helper("missing")
        ''')
        result, _, _ = run_tool(source, "boom")
        error = result["error"]
        self.assertEqual((error["type"], error["message"]), ("KeyError", "'missing'"))
        self.assertTrue(error["traceback"].startswith("Traceback (most recent call last):\n  File \"/skill/skill.py\""))
        self.assertIn('line 3, in helper\n    return {}[x]', error["traceback"])
        self.assertNotIn("_worker.py", error["traceback"])

    def test_deep_recursion_traceback_is_cut_to_8_kb_keeping_the_last_frames(self):
        source = "from agentos import returns\n@returns('x')\nasync def deep(**params):\n    return deep_sync(0)\n" \
                 "def deep_sync(n):\n    return deep_sync(n + 1)\n"
        result, _, _ = run_tool(source, "deep")
        error = result["error"]
        self.assertEqual(error["type"], "RecursionError")
        self.assertLessEqual(len(error["traceback"].encode()), 8 * 1024)
        self.assertTrue(error["traceback"].rstrip().endswith("RecursionError: maximum recursion depth exceeded"))

    def test_non_async_tool_is_refused(self):
        source = "from agentos import returns\n@returns('x')\ndef sync_tool(**params):\n    return 1\n"
        result, _, _ = run_tool(source, "sync_tool")
        self.assertEqual(result["error"]["type"], "TypeError")
        self.assertEqual(result["error"]["message"], "Tool sync_tool must be async def")

    def test_missing_and_private_functions_are_not_tools(self):
        source = "async def _private(**params):\n    return 1\n"
        for name in ("_private", "absent"):
            result, _, _ = run_tool(source, name)
            self.assertEqual(result["error"]["type"], "LookupError")

    def test_kwargs_are_filtered_to_the_signature_without_params(self):
        source = skill('''
            from agentos import returns
            @returns("x")
            async def strict(query: str, limit: int = 10):
                return {"query": query, "limit": limit}
            @returns("x")
            async def only_keyword(*, query):
                return query
        ''')
        kwargs = {"query": "q", "limit": 3, "auth": {"key": "k"}, "extra": True}
        self.assertEqual(run_tool(source, "strict", kwargs)[0]["value"], {"query": "q", "limit": 3})
        self.assertEqual(run_tool(source, "only_keyword", kwargs)[0]["value"], "q")

    def test_kwargs_not_in_the_signature_land_in_params(self):
        source = skill('''
            from agentos import returns
            @returns("x")
            async def loose(query: str, limit: int = 10, **params):
                return {"query": query, "limit": limit, "params": params}
        ''')
        kwargs = {"query": "q", "auth": {"key": "k"}, "extra": True}
        self.assertEqual(run_tool(source, "loose", kwargs)[0]["value"],
                         {"query": "q", "limit": 10, "params": {"auth": {"key": "k"}, "extra": True}})

    def test_missing_required_argument_is_a_type_error(self):
        source = "async def needs(query: str, **params):\n    return query\n"
        error = run_tool(source, "needs", {})[0]["error"]
        self.assertEqual(error["type"], "TypeError")
        self.assertIn("query", error["message"])

    def test_connections_auth_is_injected_for_the_tools_connection(self):
        source = skill('''
            from agentos import connection, returns
            connection("api", base_url="https://a.example.com")
            connection("web", base_url="https://w.example.com")
            @connection("web")
            @returns("x")
            async def who(**params):
                return params["auth"]
        ''')
        result = run_tool(source, "who", {}, connections_auth={"api": {"key": "A"}, "web": {"key": "W"}})[0]
        self.assertEqual(result["value"], {"key": "W"})

    def test_the_tool_receives_its_connection_as_a_dict_with_vars(self):
        source = skill('''
            from agentos import connection, returns
            connection("api", base_url="https://a.example.com", auth={"type": "api_key"})
            connection("cli", description="Local binary", vars={"binary": "/usr/bin/tool"})
            @connection(["api", "cli"])
            @returns("x")
            async def which(connection=None, **params):
                return connection
        ''')
        picked = run_tool(source, "which", {"connection": "cli"})[0]["value"]
        self.assertEqual(picked, {"name": "cli", "id": "cli", "description": "Local binary",
                                  "vars": {"binary": "/usr/bin/tool"}})
        default = run_tool(source, "which", {})[0]["value"]
        self.assertEqual(default, {"name": "api", "id": "api", "base_url": "https://a.example.com", "vars": {}})

    def test_decorators_record_metadata_and_leave_the_function_callable(self):
        source = skill('''
            from agentos import claims, connection, provides, returns, test, timeout, web_search
            @returns("webpage[]")
            @provides(web_search, urls=["x.com/*"])
            @connection(["api", "web"])
            @timeout(60)
            @claims("primary_user")
            @test(params={"query": "x"})
            async def search(query: str, **params):
                return None
            @test.cases({"params": {"a": 1}}, {"params": {"a": 2}})
            @test.skip(reason="slow")
            async def other(**params):
                return None
            @returns("x")
            async def meta(**params):
                return {
                    "returns": search._agentos_returns,
                    "provides": search._agentos_provides,
                    "connection": search._agentos_connection,
                    "timeout": search._agentos_timeout,
                    "claims": search._agentos_claims,
                    "test": search._agentos_test,
                    "other_test": other._agentos_test,
                }
        ''')
        self.assertEqual(run_tool(source, "meta")[0]["value"], {
            "returns": "webpage[]",
            "provides": {"tool": "web_search", "urls": ["x.com/*"]},
            "connection": ["api", "web"],
            "timeout": 60,
            "claims": ["primary_user"],
            "test": {"cases": [{"params": {"query": "x"}}], "skip": False, "skip_reason": None},
            "other_test": {"cases": [{"params": {"a": 1}}, {"params": {"a": 2}}], "skip": False, "skip_reason": None},
        })


class SkillSourcesTest(unittest.TestCase):
    SOURCES = {
        "main.py": skill('''
            import helpers
            from helpers import shout
            from pkg.sub.nested import nested
            from pkg import VERSION
            from agentos import returns
            @returns("x")
            async def run(text: str, **params):
                return {"shout": shout(text), "nested": nested(text), "version": VERSION,
                        "files": [helpers.__file__, helpers.where()], "pkg": __import__("pkg").__file__}
            @returns("x")
            async def crash(**params):
                return helpers.explode()
        '''),
        "helpers.py": skill('''
            def shout(text):
                return text.upper() + "!"
            def where():
                return __name__
            def explode():
                raise ValueError("kaboom")
        '''),
        "pkg/__init__.py": "from .version import VERSION\n",
        "pkg/version.py": "VERSION = '1.2.3'\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/nested.py": "from ..version import VERSION\ndef nested(text):\n    return f'{text}@{VERSION}'\n",
    }

    def test_sibling_modules_and_packages_import_from_the_shipped_sources(self):
        result = run_tool(self.SOURCES, "run", {"text": "hi"}, module="main")[0]
        self.assertEqual(result["value"], {
            "shout": "HI!",
            "nested": "hi@1.2.3",
            "version": "1.2.3",
            "files": ["/skill/helpers.py", "helpers"],
            "pkg": "/skill/pkg/__init__.py",
        })

    def test_traceback_names_the_helper_file_and_shows_its_source_line(self):
        error = run_tool(self.SOURCES, "crash", module="main")[0]["error"]
        self.assertEqual((error["type"], error["message"]), ("ValueError", "kaboom"))
        self.assertIn('File "/skill/helpers.py", line 6, in explode\n    raise ValueError("kaboom")',
                      error["traceback"])

    def test_file_names_that_are_not_identifiers_still_load_as_the_call_module(self):
        sources = {"github-cli.py": "async def who(**params):\n    return [__name__, __file__]\n"}
        result = run_tool(sources, "who", module="github-cli")[0]
        self.assertEqual(result["value"], ["github-cli", "/skill/github-cli.py"])

    def test_syntax_error_in_the_skill_module_is_an_error_result(self):
        error = run_tool({"bad.py": "def oops(:\n"}, "oops")[0]["error"]
        self.assertEqual(error["type"], "SyntaxError")
        self.assertIn("/skill/bad.py", error["traceback"])

    def test_skill_module_named_like_a_loaded_stdlib_module_still_loads(self):
        source = "async def which(**params):\n    import json\n    return [__name__, json.dumps is not None]\n"
        self.assertEqual(run_tool({"json.py": source}, "which")[0]["value"], ["json", True])

    def test_skill_files_named_like_stdlib_modules_the_worker_once_preloaded_never_shadow_them(self):
        # json, re, enum... loaded before every call until the worker learnt to start without them.
        sources = {
            "main.py": "import json, re, helpers\nasync def run(**params):\n"
                       "    return [json.__file__ != '/skill/json.py', re.__file__ != '/skill/re.py', helpers.VALUE]\n",
            "json.py": "raise ImportError('the skill json.py shadowed the standard json')\n",
            "re.py": "raise ImportError('the skill re.py shadowed the standard re')\n",
            "helpers.py": "VALUE = 3\n",
        }
        self.assertEqual(run_tool(sources, "run", module="main")[0]["value"], [True, True, 3])
        re_tool = "import re\nasync def which(**params):\n    return [__name__, hasattr(re, 'compile')]\n"
        self.assertEqual(run_tool({"re.py": re_tool}, "which")[0]["value"], ["re", True])


class StartCostTest(unittest.TestCase):
    def test_a_tool_runs_without_the_worker_importing_heavy_modules_first(self):
        # Each of these costs a fresh worker 1-6 ms; a skill that imports one still gets it. (asyncio
        # cannot be named here: a source that mentions it gets the real event loop.)
        source = skill('''
            import sys
            from agentos import returns
            HEAVY = {"json", "re", "enum", "os", "threading", "collections", "functools", "ctypes", "importlib",
                     "warnings", "typing", "agentos._client", "agentos._text"}
            @returns("x")
            async def loaded(**params):
                import gc  # compile() builds the AST classes (~0.8 ms); loading the skill did not call it
                ast = any(isinstance(o, type) and o.__name__ == "AST" for o in gc.get_objects())
                return sorted(HEAVY & set(sys.modules)) + (["AST classes"] if ast else [])
        ''')
        with Worker(args=("--limits", "cpu=60,nofile=64", "--no-fork")) as worker:
            worker.call(source, "loaded")
            self.assertEqual(worker.result()["value"], [])

    def test_a_tool_that_uses_threads_json_and_re_gets_the_real_modules(self):
        source = skill('''
            import json, re, threading
            from agentos import client, returns
            @returns("x")
            async def run(**params):
                box = []
                thread = threading.Thread(target=box.append, args=(json.dumps({"a": re.sub("x", "y", "x")}),))
                thread.start()
                thread.join()
                response = await client.get("https://example.com/")
                return [box[0], response["json"], threading.current_thread() is threading.main_thread()]
        ''')
        with Worker() as worker:
            worker.call(source, "run")
            dispatch = worker.recv()
            worker.answer(dispatch, {"status": 200, "body": '{"n": 1}'})
            self.assertEqual(worker.result()["value"], ['{"a": "y"}', {"n": 1}, True])


class ResultEncodingTest(unittest.TestCase):
    def test_common_python_values_are_converted_to_json(self):
        source = skill('''
            import datetime, decimal, enum, uuid
            class Color(enum.Enum):
                RED = "red"
            async def values(**params):
                return {
                    "when": datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc),
                    "day": datetime.date(2024, 5, 6),
                    "tags": {"b", "a"},
                    "tuple": (1, 2),
                    "price": decimal.Decimal("1.5"),
                    "color": Color.RED,
                    "id": uuid.UUID(int=1),
                    "nan": float("nan"),
                    "text": "caf\\u00e9 \\u2028 \\ud800",
                }
        ''')
        self.assertEqual(run_tool(source, "values")[0]["value"], {
            "when": "2024-05-06T07:08:09+00:00",
            "day": "2024-05-06",
            "tags": ["a", "b"],
            "tuple": [1, 2],
            "price": 1.5,
            "color": "red",
            "id": "00000000-0000-0000-0000-000000000001",
            "nan": None,
            "text": "caf\u00e9 \u2028 \ud800",
        })

    def test_bytes_in_a_result_become_an_error_result(self):
        result, code, _ = run_tool("async def raw(**params):\n    return {'data': b'x'}\n", "raw", call_id="c-7")
        # The fallback result answers the call it replaces: the engine matches it by id.
        self.assertEqual((result["__type__"], result["id"]), ("result", "c-7"))
        self.assertFalse(result["ok"])
        self.assertEqual(result["error"]["type"], "TypeError")
        self.assertRegex(result["error"]["message"], r"^Result of tool raw cannot be sent as JSON: .*bytes")
        self.assertEqual(code, 0)

    def test_result_over_16_mib_becomes_an_error_result(self):
        result, code, _ = run_tool("async def big(**params):\n    return 'x' * (17 * 1024 * 1024)\n", "big", call_id=8)
        self.assertEqual((result["id"], result["ok"]), (8, False))
        self.assertEqual(result["error"]["type"], "TypeError")
        self.assertRegex(result["error"]["message"], r"^Result of tool big is \d+ bytes, over the 16777216 byte")
        self.assertEqual(code, 0)

    def test_unencodable_dispatch_params_raise_in_the_skill(self):
        source = skill('''
            from agentos import client
            async def post(**params):
                try:
                    await client.post("https://x.example.com", json={"blob": b"x"})
                except TypeError as error:
                    return str(error)
        ''')
        self.assertIn("bytes is not JSON serializable", run_tool(source, "post")[0]["value"])

    def test_unserialisable_object_becomes_an_error_result(self):
        source = "class Thing:\n    pass\nasync def thing(**params):\n    return [Thing()]\n"
        error = run_tool(source, "thing")[0]["error"]
        self.assertEqual(error["type"], "TypeError")
        self.assertIn("Thing", error["message"])


if __name__ == "__main__":
    unittest.main()
