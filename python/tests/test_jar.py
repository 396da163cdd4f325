"""The call's cookie jar as skills read it: ``client.cookie()``, ``client.current().jar``."""

import asyncio
import unittest

import _harness  # noqa: F401  puts the SDK on sys.path
from agentos import _broker, _connection, _jar
from agentos._client import client

RECORD = {"name": "sid", "value": "agentos-secret-" + "0" * 32, "domain": "x.test", "path": "/",
          "expires": None, "secure": True, "httpOnly": True, "sameSite": "Lax"}


class JarTest(unittest.TestCase):
    def tearDown(self):
        _jar.update(None)
        _connection.bind(None)

    def test_a_call_without_a_jar_has_none(self):
        _jar.update(None)
        self.assertIsNone(client.cookie("sid"))
        self.assertEqual(client.cookie("sid", "fallback"), "fallback")
        self.assertIsNone(client.current().jar)

    def test_cookies_read_by_name_attribute_and_key(self):
        _jar.update([RECORD, {**RECORD, "value": "newer"}, {"name": "lang", "value": "en"}, "junk"])
        self.assertEqual(client.cookie("sid"), "newer")
        jar = client.current().jar
        self.assertEqual([c.name for c in jar.cookies], ["sid", "sid", "lang"])
        first = jar.cookies[0]
        self.assertEqual((first.domain, first.secure, first.http_only, first.same_site), ("x.test", True, True, "Lax"))
        self.assertEqual(first["path"], "/")
        self.assertEqual(len(jar), 3)

    def test_current_reads_as_a_dict_and_by_attribute(self):
        _connection.bind("web")
        current = client.current()
        self.assertEqual(current["name"], "web")
        self.assertEqual(current.name, "web")
        with self.assertRaises(AttributeError):
            current.nope

    def test_each_response_replaces_the_jar_and_the_key_is_not_seen(self):
        class Writer:
            def send(self, message, final=False):
                return True

        async def scenario():
            broker = _broker.Broker(Writer(), asyncio.get_running_loop())
            _broker.install(broker)
            pending = asyncio.ensure_future(client.get("https://x.test/a"))
            await asyncio.sleep(0)
            broker.deliver({"id": 1, "result": {"status": 200, "headers": {}, "body": "{}", "jar": [RECORD]}})
            return await pending

        response = asyncio.run(scenario())
        self.assertNotIn("jar", response)
        self.assertEqual(client.cookie("sid"), RECORD["value"])


if __name__ == "__main__":
    unittest.main()
