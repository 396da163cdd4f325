"""The YAML-subset parser for readme.md front matter."""

import math
import textwrap
import unittest

import _harness  # noqa: F401  (puts the SDK on sys.path)
from agentos._front_matter import FrontMatterError, parse


def fm(text: str):
    return parse("---\n" + textwrap.dedent(text) + "---\n# Body\n")


class FrontMatterTest(unittest.TestCase):
    def test_scalars_follow_the_yaml_1_2_core_schema(self):
        self.assertEqual(fm('''\
            s: plain text
            url: https://example.com/a#frag
            i: 42
            neg: -7
            hex: 0x1f
            f: 1.5
            e: 1e3
            t: true
            F: False
            n: null
            tilde: ~
            empty:
            yes_is_text: yes
            date_is_text: 2024-01-02
            version_is_text: 1.2.3
        '''), {
            "s": "plain text", "url": "https://example.com/a#frag", "i": 42, "neg": -7, "hex": 31, "f": 1.5,
            "e": 1000.0, "t": True, "F": False, "n": None, "tilde": None, "empty": None, "yes_is_text": "yes",
            "date_is_text": "2024-01-02", "version_is_text": "1.2.3",
        })

    def test_quoted_strings_and_comments(self):
        self.assertEqual(fm('''\
            a: "say \\"hi\\"\\n\\u00e9"  # comment
            b: 'it''s # not a comment'
            c: value # comment
            d: "#hash"
            # whole-line comment
            'quoted key': 1
        '''), {"a": 'say "hi"\n\u00e9', "b": "it's # not a comment", "c": "value", "d": "#hash", "quoted key": 1})

    def test_flow_collections(self):
        self.assertEqual(fm('''\
            caps: [http, secrets, "a, b", 3]
            empty: []
            map: {a: 1, b: [x, y], "c d": 'e'}
            multi: [one,
              two]
        '''), {"caps": ["http", "secrets", "a, b", 3], "empty": [], "map": {"a": 1, "b": ["x", "y"], "c d": "e"},
               "multi": ["one", "two"]})

    def test_block_collections_nest_by_indentation(self):
        self.assertEqual(fm('''\
            accounts:
              list_via: list_accounts
              nested:
                deeper: true
            list:
              - a
              - b
            same_indent_list:
            - x
            - y
            items:
              - name: one
                url: http://one
              - name: two
              -
                name: three
              - - inner
                - list
            after: end
        '''), {
            "accounts": {"list_via": "list_accounts", "nested": {"deeper": True}},
            "list": ["a", "b"],
            "same_indent_list": ["x", "y"],
            "items": [{"name": "one", "url": "http://one"}, {"name": "two"}, {"name": "three"}, ["inner", "list"]],
            "after": "end",
        })

    def test_block_scalars_and_folded_plain_lines(self):
        self.assertEqual(fm('''\
            literal: |
              line one
                indented
              # kept

            folded: >-
              one
              two

              three
            plain: a long
              description
            keep: |+
              x

            last: 1
        '''), {
            "literal": "line one\n  indented\n# kept\n",
            "folded": "one two\nthree",
            "plain": "a long description",
            "keep": "x\n\n",
            "last": 1,
        })

    def test_special_floats_and_empty_front_matter(self):
        self.assertTrue(math.isinf(fm("x: .inf\n")["x"]))
        self.assertEqual(fm(""), {})
        self.assertIsNone(parse("# just a readme\n"))
        self.assertEqual(parse("\ufeff---\r\nid: x\r\n---\r\n"), {"id": "x"})

    def test_unsupported_or_broken_yaml_names_the_line(self):
        cases = {
            "a: &anchor 1\n": (2, "anchors, aliases and tags are not supported: '&anchor 1'"),
            "a: *alias\n": (2, "anchors, aliases and tags are not supported: '*alias'"),
            "a: !tag x\n": (2, "anchors, aliases and tags are not supported: '!tag x'"),
            "? complex\n": (2, "complex keys (?) are not supported"),
            "a: 1\na: 2\n": (3, 'duplicate key "a"'),
            "a: 1\n   b: 2\n": (3, "unexpected indentation"),
            "just text\n": (2, "front matter must be a mapping of keys to values"),
            "a: 'open\n": (2, "unterminated '-quoted string"),
            "a: \"\\q\"\n": (2, "unknown escape \\q in a double-quoted string"),
            "a:\n\t- x\n": (3, "tabs cannot indent YAML"),
            "a: [1, 2\n": (2, "expected one of , ] in '[1, 2'"),
            "a: \"x\" y\n": (2, "unexpected text after value: 'y'"),
        }
        for text, (line, reason) in cases.items():
            with self.subTest(text=text):
                with self.assertRaises(FrontMatterError) as caught:
                    fm(text)
                self.assertEqual((caught.exception.line, caught.exception.reason), (line, reason))

    def test_unclosed_front_matter_is_an_error(self):
        with self.assertRaises(FrontMatterError) as caught:
            parse("---\nid: x\n")
        self.assertEqual(caught.exception.line, 1)


if __name__ == "__main__":
    unittest.main()
