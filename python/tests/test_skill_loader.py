"""compile_module: the code compile() gives, the errors and warnings compile() gives, and nothing run.

compile_module only takes its shortcut in a process that has not loaded the
``warnings`` module, as a worker has not; unittest has. So each test runs its
checks in a fresh interpreter.
"""

import subprocess
import sys
import textwrap
import unittest

from _harness import PYTHON_DIR

from agentos import _skill_loader

PRELUDE = textwrap.dedent('''
    import sys, types
    sys.path.insert(0, sys.argv[1])
    from agentos._skill_loader import compile_module

    def attributes(code):
        """Everything about code and its nested code objects, comparably."""
        out = {}
        for name in dir(code):
            if not name.startswith("co_"):
                continue
            value = getattr(code, name)
            if name in ("co_lines", "co_positions"):
                value = list(value())
            elif name == "co_consts":
                value = [attributes(c) if isinstance(c, types.CodeType) else (type(c), c) for c in value]
            elif callable(value):
                continue
            out[name] = value
        return out

    def ast_classes_built():
        import gc
        return any(isinstance(o, type) and o.__name__ == "AST" for o in gc.get_objects())
''')

SOURCES = [
    "",
    "x = 1\n",
    textwrap.dedent('''
        """Docstring."""
        from __future__ import annotations
        import sys
        CONST = frozenset({"a", "b"})

        class Thing:
            def method(self, value: int) -> "Thing":
                return [lambda: value for _ in range(2)]

        async def tool(query: str, **params):
            """A tool."""
            async with params["x"] as y:
                return {k: v async for k, v in y}

        def gen():
            try:
                yield from range(3)
            except* ValueError:
                pass
    '''),
    "# -*- coding: latin-1 -*-\ntext = 'caf\u00e9 \U0001F600'\n",
]

BAD_SOURCES = ["def oops(:\n", "x = (\n", "return 5\n", "a = 1\n\x00\n", "'\\N{nope}'\n", "\ufeffvalue = 2\n"]


def run_fresh(body: str, *args: str) -> subprocess.CompletedProcess:
    code = PRELUDE + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-I", "-S", "-c", code, PYTHON_DIR, *args], capture_output=True,
                          text=True, timeout=30)


class CompileModuleTest(unittest.TestCase):
    def test_gives_the_code_compile_gives_without_building_the_ast_classes(self):
        proc = run_fresh('''
            import json
            sources = json.loads(sys.argv[2])
            codes = [compile_module(source, "/skill/a.py") for source in sources]
            print("warnings" in sys.modules, ast_classes_built())
            for source, code in zip(sources, codes):
                expected = compile(source, "/skill/a.py", "exec", dont_inherit=True)
                print(attributes(code) == attributes(expected))
        ''', __import__("json").dumps(SOURCES))
        self.assertEqual(proc.stdout.split(), ["False", "False"] + ["True"] * len(SOURCES), proc.stderr)

    def test_does_not_run_the_source(self):
        proc = run_fresh('''
            code = compile_module("print('ran')\\n", "/skill/side.py")
            print("compiled")
            exec(code, {})
        ''')
        self.assertEqual(proc.stdout.split(), ["compiled", "ran"], proc.stderr)

    def test_syntax_errors_are_the_ones_compile_raises(self):
        proc = run_fresh('''
            import json
            for source in json.loads(sys.argv[2]):
                outcomes = []
                for function in (compile_module, lambda s, f: compile(s, f, "exec", dont_inherit=True)):
                    try:
                        function(source, "/skill/bad.py")
                    except (SyntaxError, ValueError) as error:
                        outcomes.append((type(error), str(error), getattr(error, "filename", None)))
                print(outcomes[0] == outcomes[1] and outcomes[0][0] is not None)
        ''', __import__("json").dumps(BAD_SOURCES))
        self.assertEqual(proc.stdout.split(), ["True"] * len(BAD_SOURCES), proc.stderr)

    def test_leaves_no_tracer_and_no_warning_filter_behind(self):
        proc = run_fresh('''
            import _warnings
            filters = list(_warnings.filters)
            compile_module("x = 1\\n", "/skill/a.py")
            try:
                compile_module("def oops(:\\n", "/skill/a.py")
            except SyntaxError:
                pass
            print(sys.gettrace() is None, _warnings.filters == filters)
        ''')
        self.assertEqual(proc.stdout.split(), ["True", "True"], proc.stderr)

    def test_compile_time_warnings_name_the_file_once(self):
        proc = run_fresh('''
            compile_module("if 1 is 1:\\n    pass\\n", "/skill/warns.py")
        ''')
        self.assertEqual(proc.stderr.count("SyntaxWarning"), 1, proc.stderr)
        self.assertIn('/skill/warns.py:1: SyntaxWarning: "is" with a literal', proc.stderr)

    def test_under_a_tracer_it_is_plain_compile(self):
        calls = []

        def tracer(frame, event, arg):
            calls.append(frame.f_code.co_name)

        sys.settrace(tracer)
        try:
            code = _skill_loader.compile_module("x = 1\n", "/skill/traced.py")
        finally:
            sys.settrace(None)
        self.assertEqual(code.co_filename, "/skill/traced.py")
        self.assertNotIn("<module>", calls)


class StdlibFirstTest(unittest.TestCase):
    def test_the_finder_declines_standard_names_it_used_to_find_loaded(self):
        finder = _skill_loader.SkillSourceFinder({"json.py": "", "json/extra.py": "", "mine.py": ""})
        self.assertIsNone(finder.find_spec("json"))
        self.assertIsNotNone(finder.find_spec("json.extra"))
        self.assertIsNotNone(finder.find_spec("mine"))


if __name__ == "__main__":
    unittest.main()
