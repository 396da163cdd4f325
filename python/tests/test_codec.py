"""agentos._codec against the json module it stands in for: same values, same text, same errors."""

import enum
import json
import random
import struct
import subprocess
import sys
import unittest

from _harness import PYTHON_DIR

from agentos import _codec

DOCUMENTS = [
    '{"__type__":"call","id":"c-1","kwargs":{"q":"caf\\u00e9"},"sources":{"a.py":"x = 1\\n"}}',
    '{"a": [1, -0, 2.5, -1e-7, 1E400, -1e400, 5e-324, 1.5e-320, 123456789012345678901234567890]}',
    '[NaN, Infinity, -Infinity, true, false, null]',
    '"\\ud800"',
    '"\\udc00\\ud83d\\ude00 \\ud83d"',
    '"\U0001F600 \u2028 \u00e9 \\u0000 \\" \\\\ \\/ \\b\\f\\n\\r\\t"',
    ' \t\r\n {"dup": 1, "dup": 2} \n\r\t ',
    '[[[[[]]]], {}, {"": ""}]',
    '0',
    '-12.5e+3',
    '"' + "x" * 5000 + '"',
    '{"n": ' + "9" * 4300 + "}",
]

INVALID = [
    "", " ", "\n\t", "{broken", "[1,]", "[1, 2", "1 2", "{} x", "nul", "NaNa", "\ufeff{}", '"\x01"', "'x'",
    '{"a" 1}', "[-]", "01", '"\\x"', '"\\ud8"', "{" + '"n": ' + "9" * 4301 + "}", "tru", "[" * 100_000,
]


class LoadsTest(unittest.TestCase):
    def assert_same(self, document):
        expected = json.loads(document)
        actual = _codec.loads(document)
        # repr tells NaN, -0.0 and lone surrogates apart where == would not.
        self.assertEqual(repr(actual), repr(expected), document[:80])
        self.assertEqual(repr(_codec.parse(document) if isinstance(document, str) else None),
                         repr(expected) if isinstance(document, str) else "None")

    def test_documents_give_the_values_json_loads_gives(self):
        for document in DOCUMENTS:
            self.assert_same(document)

    def test_constants_are_json_loads_own_floats_down_to_the_sign_of_nan(self):
        document = "[NaN, Infinity, -Infinity]"
        for actual, expected in zip(_codec.loads(document), json.loads(document)):
            self.assertEqual(struct.pack("<d", actual), struct.pack("<d", expected))

    def test_bytes_decode_as_json_loads_decodes_them(self):
        for document in DOCUMENTS:
            self.assert_same(document.encode("utf-8"))
            self.assert_same(bytearray(document.encode("utf-8")))
            self.assert_same(document.encode("utf-16"))
            self.assert_same(document.encode("utf-32-le"))
            self.assert_same(document.encode("utf-8-sig"))
        self.assert_same(b'"\xed\xa0\x80"')  # a lone surrogate, as surrogatepass reads it
        self.assert_same(b"7")
        self.assert_same(b"[]")

    def test_invalid_documents_raise_what_json_loads_raises(self):
        as_bytes = [d.encode("utf-8", "surrogatepass") for d in INVALID if not d.startswith("\ufeff")]
        for document in INVALID + as_bytes + [b"\xff\xfe", b"\x80", b"\xef\xbb\xbf", 5]:
            try:
                json.loads(document)
            except Exception as error:  # noqa: BLE001 — compared below
                expected = error
            else:
                self.fail(f"json.loads accepted {document!r}")
            with self.assertRaises(type(expected), msg=repr(document)[:80]) as caught:
                _codec.loads(document)
            self.assertEqual(str(caught.exception), str(expected))
            if isinstance(document, str) and isinstance(expected, ValueError):
                self.assertEqual(_codec.parse(document, "default"), "default")

    def test_random_documents_round_trip_like_json(self):
        rng = random.Random(7)
        for _ in range(300):
            value = random_value(rng, 4)
            for text in (json.dumps(value), json.dumps(value, ensure_ascii=False), json.dumps(value, indent=1)):
                self.assert_same(text)


class Color(enum.IntEnum):
    RED = 1


class Opaque:
    pass


def fallback(value):
    if isinstance(value, Opaque):
        return {"opaque": True}
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"no {type(value).__name__}")


VALUES = [
    {"__type__": "result", "id": "c-1", "ok": True, "value": {"caf\u00e9": ["\u2028", "\U0001F600", "\ud800"]}},
    {1: "int key", 2.5: "float key", True: "bool key", None: "none key", "": [None, True, False]},
    [0, -0.0, 0.1, 1e16, 1e-7, 2**70, -(2**64), Color.RED, True, 1.7976931348623157e308],
    "top-level \"string\" \x00\x1f \\ \ud800",
    None,
    12,
    (1, (2, [3])),
    {"opaque": Opaque(), "tags": {"b", "a"}},
    {"control": "".join(chr(c) for c in range(0x20)) + "\x7f\x80\u00ff\uffff"},
]


class DumpsTest(unittest.TestCase):
    def assert_same(self, value, **options):
        separators = (",", ":") if options.pop("compact", False) else None
        try:
            expected = json.dumps(value, separators=separators, **options)
        except Exception as error:  # noqa: BLE001 — compared below
            with self.assertRaises(type(error)) as caught:
                _codec.dumps(value, compact=separators is not None, **options)
            self.assertEqual(str(caught.exception), str(error))
            return
        self.assertEqual(_codec.dumps(value, compact=separators is not None, **options), expected)

    def test_values_give_the_text_json_dumps_gives(self):
        for value in VALUES + [float("nan"), [float("inf")], {"x": -float("inf")}]:
            for ensure_ascii in (True, False):
                for allow_nan in (True, False):
                    for compact in (True, False):
                        self.assert_same(value, ensure_ascii=ensure_ascii, allow_nan=allow_nan, compact=compact,
                                         default=fallback)

    def test_errors_are_the_errors_json_dumps_raises(self):
        circular = []
        circular.append(circular)
        for value in (Opaque(), {"x": Opaque()}, {(1, 2): "tuple key"}, circular, b"bytes", [float("nan")]):
            self.assert_same(value, allow_nan=False)
        self.assert_same({"x": Opaque()}, default=fallback)
        self.assert_same({"x": object()}, default=fallback)

    def test_random_values_encode_like_json(self):
        rng = random.Random(11)
        for _ in range(300):
            value = random_value(rng, 4)
            self.assert_same(value, ensure_ascii=False, allow_nan=False, compact=True)
            self.assert_same(value)


class StartCostTest(unittest.TestCase):
    def test_codec_works_without_importing_json_re_or_enum(self):
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); from agentos import _codec\n"
            "assert _codec.loads(b'{\"a\": [1, 2.5, NaN, \"\\\\ud800\"]}')['a'][:2] == [1, 2.5]\n"
            "assert _codec.dumps({'a': [1, 'x']}, compact=True) == '{\"a\":[1,\"x\"]}'\n"
            "assert _codec.parse('{broken') is None and _codec.parse('') is None\n"
            "print(sorted({'json', 're', 'enum'} & set(sys.modules)))\n"
            "try:\n    _codec.loads('{broken')\nexcept ValueError as error:\n    print(type(error).__name__, error)\n"
        )
        proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, PYTHON_DIR], capture_output=True, text=True,
                              timeout=30)
        self.assertEqual(proc.stdout.splitlines(), [
            "[]", "JSONDecodeError Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ], proc.stderr)


def random_value(rng: random.Random, depth: int):
    kind = rng.randrange(9 if depth > 0 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice([0, -1, 7, 2**31, -(2**63), 10**40, rng.randrange(-10**6, 10**6)])
    if kind == 3:
        return rng.choice([0.0, -0.0, 0.1, -2.5e-300, 1e300, 5e-324, rng.uniform(-1e6, 1e6)])
    if kind in (4, 5):
        alphabet = "ab \"\\/\n\t\x00\x1f\x7f\u00e9\u2028\ufeff\U0001F600\ud800\udfff"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(8)))
    if kind == 6:
        return [random_value(rng, depth - 1) for _ in range(rng.randrange(4))]
    if kind == 7:
        return {str(random_value(rng, 0)): random_value(rng, depth - 1) for _ in range(rng.randrange(4))}
    return {rng.choice(["k", "\u00e9", "\ud800", ""]): random_value(rng, depth - 1)}


if __name__ == "__main__":
    unittest.main()
