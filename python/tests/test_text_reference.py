"""The text and date helpers against the reference SDK's behaviour.

Each row is (arguments, expected). Expected values are what the reference
AgentOS SDK returns for the same arguments, quirks included ("-7" → 7,
"4.5 out of 5" → 4.55): published skills were written against them. Rows
marked EXTENSION are inputs the reference answers with None (or an
exception) where we return the value a reader would expect.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import agentos  # noqa: E402

EXTENSIONS = {
    ("parse_date", ("Dec 13, 2024",)),
    ("parse_date", ("13 December 2024",)),
    ("parse_date", ("Sept 1, 2020",)),
    ("parse_date", ("on March 3, 2021",)),
    ("parse_date", ("Jan 2024",)),
    ("parse_date", (1700000000,)),
}

TABLE = {
    'molt': [
        (('1,234 reviews', int), 1234),
        (('4.5 out of 5', float), 4.55),
        (('August 2010', 'date'), '2010-08'),
        ((1616025600000, 'date'), '2021-03-18T00:00:00.000Z'),
        ((1616025600, 'date'), '2021-03-18T00:00:00.000Z'),
        (('', 'date'), None),
        ((' x ', str), 'x'),
        ((5, str), '5'),
        (('<i>a</i>', 'string'), 'a'),
        (('-12', 'int'), 12),
        ((0, 'date'), '1970-01-01T00:00:00.000Z'),
        ((None,), None),
        (('',), None),
        (('  hi  ',), 'hi'),
        (('N/A',), None),
        (('n/a',), None),
        (('-',), None),
        (('—',), None),
        (('<b>Bold</b> text',), 'Bold text'),
        (('a &amp; b',), 'a & b'),
        (('No description available',), None),
        (('Unknown',), None),
        (('none',), None),
        ((5,), 5),
        ((5.5,), 5.5),
        ((True,), True),
        ((['x'],), ['x']),
        (('  multiple   spaces\n here ',), 'multiple spaces here'),
        (('<p>one</p><p>two</p>',), 'onetwo'),
        (('null',), None),
        (('TBD',), 'TBD'),
        (('0',), '0'),
        (('&nbsp;',), None),
        (('Not available',), None),
    ],
    'parse_int': [
        ((None,), None),
        (('',), None),
        (('1,234',), 1234),
        (('2.5K',), 2500),
        (('1.2M',), 1200000),
        (('3B',), 3),
        (('495 reviews',), 495),
        (('-7',), 7),
        (('+8',), 8),
        ((3.9,), 39),
        ((-3.9,), 39),
        ((True,), True),
        (('abc',), None),
        (('1.5',), 15),
        (('10k',), 10000),
        (('1 234',), 1234),
        (('(12)',), 12),
        (('$1,299.00',), 129900),
        (('1e3',), 13),
        (('  42  ',), 42),
        (('12,345,678',), 12345678),
        (('5 out of 10',), 510),
        ((7,), 7),
    ],
    'parse_date': [
        ((None,), None),
        (('',), None),
        (('August 2010',), '2010-08'),
        (('Dec 13, 2024',), '2024-12-13'),
        (('13 December 2024',), '2024-12-13'),
        (('2024',), '2024'),
        (('2024-05-06',), '2024-05-06'),
        (('2024-05-06T10:00:00Z',), '2024-05-06T10:00:00Z'),
        (('3 days ago',), None),
        (('yesterday',), None),
        (('Sept 1, 2020',), '2020-09-01'),
        (('May 2020',), '2020-05'),
        (('on March 3, 2021',), '2021-03-03'),
        (('in 2019',), '2019'),
        (('31 Feb 2024',), None),
        (('12/25/2024',), None),
        (('25.12.2024',), None),
        (('Jan 2024',), '2024-01'),
        (('2024/01/02',), None),
        ((1700000000,), None),
        (('March 32, 2024',), '2024-03-32'),
        (('December 13th, 2024',), None),
    ],
    'clean_html': [
        ((None,), None),
        (('',), None),
        (('<p>a</p><p>b</p>',), 'a\n\nb'),
        (('line<br>break',), 'line\nbreak'),
        (('a&amp;b',), 'a&b'),
        (('<div>x</div>  <div>y</div>',), 'x y'),
        (('<script>bad()</script>ok',), 'bad()ok'),
        (('  <b>hi</b>  ',), 'hi'),
        (('<ul><li>a</li><li>b</li></ul>',), 'ab'),
        (('text with\n\n\n\nmany newlines',), 'text with\n\nmany newlines'),
        (('&lt;tag&gt;',), '<tag>'),
    ],
    'parse_float': [
        ((None,), None),
        (('',), None),
        (('4.5 out of 5',), 4.55),
        (('$1,299.00',), 1299.0),
        (('-3.5',), 3.5),
        (('n/a',), None),
        ((3,), 3.0),
        ((2.5,), 2.5),
        (('1.2.3',), None),
        (('.5',), 0.5),
        (('1e3',), 13.0),
    ],
    'iso_from_seconds': [
        ((0,), '1970-01-01T00:00:00.000Z'),
        ((1700000000,), '2023-11-14T22:13:20.000Z'),
        ((1.5,), '1970-01-01T00:00:01.500Z'),
        ((None,), None),
        (('x',), None),
    ],
    'iso_from_ms': [
        ((None,), None),
        ((0,), '1970-01-01T00:00:00.000Z'),
        ((1700000000000,), '2023-11-14T22:13:20.000Z'),
        ((1700000000123,), '2023-11-14T22:13:20.123Z'),
        (('1700000000000',), None),
        ((True,), '1970-01-01T00:00:00.001Z'),
        ((-1000,), '1969-12-31T23:59:59.000Z'),
        ((1500000000000.0,), '2017-07-14T02:40:00.000Z'),
        ((1e+20,), None),
    ],
}


class ReferenceBehaviourTest(unittest.TestCase):
    def test_every_row(self):
        rows = 0
        for name, cases in TABLE.items():
            helper = getattr(agentos, name)
            for args, expected in cases:
                rows += 1
                with self.subTest(helper=name, args=args):
                    self.assertEqual(helper(*args), expected)
        self.assertGreaterEqual(rows, 100)

    def test_extensions_are_few_and_listed(self):
        for name, args in EXTENSIONS:
            self.assertIn(args, [a for a, _ in TABLE[name]], (name, args))
        self.assertEqual(len(EXTENSIONS), 6)

    def test_day_checked_outside_the_reference_form(self):
        self.assertIsNone(agentos.parse_date("31 Feb 2024"))
        self.assertEqual(agentos.parse_date("29 Feb 2024"), "2024-02-29")
        self.assertIsNone(agentos.parse_date("29 Feb 2023"))


if __name__ == "__main__":
    unittest.main()
