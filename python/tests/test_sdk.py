"""The SDK surface skills import, used in-process (no engine needed)."""

import asyncio
import subprocess
import sys
import unittest

import _harness  # puts the SDK on sys.path
import agentos
from agentos import _broker, _client, _connection


class SurfaceTest(unittest.TestCase):
    def test_everything_in_all_is_importable(self):
        for name in agentos.__all__:
            self.assertTrue(hasattr(agentos, name), name)

    def test_names_load_their_module_on_first_use(self):
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); import agentos\n"
            "print(sorted(m for m in sys.modules if m.startswith('agentos.')))\n"
            "from agentos import returns\n"
            "print(sorted(m for m in sys.modules if m.startswith('agentos.')))\n"
            "ns = {}; exec('from agentos import *', ns); print(sorted(set(agentos.__all__) - set(ns)))\n"
            "print(agentos._text.molt(' <b>x</b> '), agentos.http is agentos.client, 'url' in dir(agentos))\n"
            "try:\n    agentos.nope\nexcept AttributeError as error:\n    print(error)\n"
        )
        proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, _harness.PYTHON_DIR], capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(proc.stdout.splitlines(), [
            "[]", "['agentos._decorators']", "[]", "x True True", "module 'agentos' has no attribute 'nope'",
        ], proc.stderr)

    def test_capability_constants_are_their_own_names(self):
        from agentos import tools

        for name in tools.CAPABILITIES:
            self.assertEqual(getattr(agentos, name), name)
            self.assertEqual(getattr(tools, name), name)
        self.assertIsInstance(agentos.llm, str)
        self.assertIs(tools.llm, agentos.llm)

    def test_http_is_client(self):
        self.assertIs(agentos.http, agentos.client)

    def test_dispatch_outside_a_worker_says_so(self):
        with self.assertRaisesRegex(RuntimeError, "not running inside a skill worker"):
            asyncio.run(agentos.client.get("https://example.com"))

    def test_skill_error_is_an_exception_with_fields(self):
        error = agentos.skill_error("Nope", code="X")
        self.assertIsInstance(error, Exception)
        self.assertIs(agentos.skill_error, agentos.SkillError)
        self.assertEqual((str(error), error.fields), ("Nope", {"code": "X"}))

    def test_skill_result_wraps_the_value(self):
        self.assertEqual(agentos.skill_result(a=1), {"__result__": {"a": 1}})
        self.assertEqual(agentos.skill_result([1, 2]), {"__result__": [1, 2]})
        self.assertEqual(agentos.skill_result("v", __secrets__=[]), {"__result__": "v", "__secrets__": []})

    def test_module_level_connection_returns_a_decorator_capable_object(self):
        conn = agentos.connection("sdk-test", base_url="https://api.sdk-test.example", label="Key")
        try:
            self.assertEqual((conn.name, conn.base_url, conn.label),
                             ("sdk-test", "https://api.sdk-test.example", "Key"))

            @agentos.connection("sdk-test")
            async def tool(**params):
                return None

            self.assertEqual(tool._agentos_connection, "sdk-test")
            self.assertEqual(_connection.choose(tool), "sdk-test")
        finally:
            _connection._declared.pop("sdk-test", None)


class HelpersTest(unittest.TestCase):
    def test_parse_numbers(self):
        cases = [("1,234", 1234), ("495 reviews", 495), ("2.5K", 2500), ("1.2M", 1_200_000), (42, 42), (None, None),
                 ("none", None), ("-3 points", 3)]  # the reference SDK keeps digits only
        for raw, expected in cases:
            self.assertEqual(agentos.parse_int(raw), expected, raw)
        self.assertEqual(agentos.parse_float("4.5 out of 5"), 4.55)  # the reference's digits-and-dots rule
        self.assertEqual(agentos.parse_float("$1,299.00"), 1299.0)
        self.assertIsNone(agentos.parse_float("n/a"))

    def test_dates(self):
        cases = [("August 2010", "2010-08"), ("December 13, 2024", "2024-12-13"), ("13 Dec 2024", "2024-12-13"),
                 ("in January 2026", "2026-01"), ("2024", "2024"), ("2024-03-15", "2024-03-15"),
                 ("3 days ago", None), (None, None)]
        for raw, expected in cases:
            self.assertEqual(agentos.parse_date(raw), expected, raw)
        self.assertEqual(agentos.iso_from_ms(1616025600000), "2021-03-18T00:00:00.000Z")
        self.assertEqual(agentos.iso_from_seconds(0), "1970-01-01T00:00:00.000Z")
        self.assertIsNone(agentos.iso_from_ms("soon"))

    def test_identity_normalization(self):
        self.assertEqual(agentos.normalize_email(" Joe@Home.COM "), "joe@home.com")
        self.assertEqual(agentos.normalize_email("joe@münchen.de"), "joe@xn--mnchen-3ya.de")
        self.assertEqual(agentos.normalize_handle("Straße"), "strasse")
        self.assertEqual(agentos.normalize_phone("+1 (555) 123-4567"), "+15551234567")
        self.assertEqual(agentos.normalize_phone("(555) 123-4567", "US"), "+15551234567")
        for bad in ("no-at-sign", "@x.com"):
            with self.assertRaises(ValueError):
                agentos.normalize_email(bad)
        with self.assertRaises(ValueError):
            agentos.normalize_phone("555 1234")

    def test_text_cleaning(self):
        self.assertEqual(agentos.clean_html("<p>a &amp; b</p><p>c<br/>d</p>"), "a & b\n\nc\nd")
        self.assertEqual(agentos.clean_text("  a \n\t b &lt; "), "a b <")
        self.assertEqual(agentos.strip_tags("<b>bold</b> &amp; x"), "bold & x")
        self.assertIsNone(agentos.clean_text("   "))
        self.assertEqual(agentos.molt("1,234 reviews", int), 1234)
        self.assertIsNone(agentos.molt("N/A"))
        self.assertEqual(agentos.molt("<i>Hello</i>   world"), "Hello world")

    def test_url_helpers(self):
        url = agentos.url
        self.assertEqual(url.build("https://x.com/s", {"k": "a b", "n": None, "t": [1, 2]}),
                         "https://x.com/s?k=a+b&t=1&t=2")
        self.assertEqual(url.build("https://x.com/s?a=1", {"b": 2}), "https://x.com/s?a=1&b=2")
        parsed = url.parse("https://example.com:8080/cb?email=a%40b.com&x=1&x=2#top")
        self.assertEqual((parsed.scheme, parsed.host, parsed.path, parsed.query, parsed.fragment),
                         ("https", "example.com:8080", "/cb", {"email": "a@b.com", "x": ["1", "2"]}, "top"))
        self.assertEqual(url.encode("a/b c"), "a%2Fb%20c")
        self.assertEqual(url.decode("a%2Fb%20c"), "a/b c")
        self.assertEqual(url.registrable("portal.aws.amazon.com"), "amazon.com")
        self.assertEqual(url.registrable("shop.amazon.co.uk"), "amazon.co.uk")
        self.assertEqual(url.registrable("Amazon.com:8080"), "amazon.com")
        self.assertTrue(url.same_site("www.amazon.com", "smile.amazon.com"))
        self.assertFalse(url.same_site("amazon.com", "amazon.sg"))
        self.assertEqual(agentos.http.build_url("https://a.com/x", {"q": 1}), "https://a.com/x?q=1")

    def test_relative_urls_join_onto_the_base_path(self):
        resolve = _client.resolve_url
        self.assertEqual(resolve("/search", "https://api.x.com/v1"), "https://api.x.com/v1/search")
        self.assertEqual(resolve("search", "https://api.x.com/v1/"), "https://api.x.com/v1/search")
        self.assertEqual(resolve("?q=1", "https://api.x.com/v1"), "https://api.x.com/v1?q=1")
        self.assertEqual(resolve("//cdn.x.com/a", "https://api.x.com"), "https://cdn.x.com/a")
        self.assertEqual(resolve("HTTPS://Other.com/a", "https://api.x.com"), "HTTPS://Other.com/a")
        with self.assertRaisesRegex(ValueError, 'Cannot resolve relative URL "/a"'):
            resolve("/a", None)


class BrokerTest(unittest.TestCase):
    def test_results_route_by_id_and_errors_raise_dispatch_error(self):
        sent = []

        class Writer:
            def send(self, message, final=False):
                sent.append(message)
                return True

        async def scenario():
            broker = _broker.Broker(Writer(), asyncio.get_running_loop())
            first = asyncio.ensure_future(broker.dispatch("sql.query", {"sql": "1"}))
            second = asyncio.ensure_future(broker.dispatch("sql.query", {"sql": "2"}))
            await asyncio.sleep(0)
            broker.deliver({"id": 2, "result": "two"})
            broker.deliver({"id": 1, "error": {"code": -32010, "message": "no", "data": {"why": 1}}})
            broker.deliver({"id": 99, "result": "stray"})
            self.assertEqual(await second, "two")
            with self.assertRaises(agentos.DispatchError) as caught:
                await first
            self.assertEqual((caught.exception.code, caught.exception.message, caught.exception.data),
                             (-32010, "no", {"why": 1}))
            pending = asyncio.ensure_future(broker.dispatch("graph.get", {}))
            await asyncio.sleep(0)
            broker.close("gone")
            with self.assertRaisesRegex(agentos.DispatchError, "gone"):
                await pending
            with self.assertRaisesRegex(agentos.DispatchError, "Cannot dispatch graph.get: gone"):
                await broker.dispatch("graph.get", {})
            self.assertIsNone(await broker.dispatch("log", {"message": "x"}))

        asyncio.run(scenario())
        self.assertEqual([m["id"] for m in sent], [1, 2, 3, 4])


if __name__ == "__main__":
    unittest.main()
