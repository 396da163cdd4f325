"""agentos._preload: the worker's SDK modules from their .pyc, as importlib would load them, or not at all."""

import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from _harness import PYTHON_DIR

MODULE_FACTS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from agentos import _entry
loaded = _entry._preload.load(_entry.WORKER_MODULES) if sys.argv[2] == "preload" else 0
from agentos import _worker, _wire
def facts(module):
    spec = module.__spec__
    return [module.__name__, module.__file__, module.__cached__, module.__package__, type(module.__loader__).__name__,
            module.__loader__.name, module.__loader__.path, spec.name, spec.origin, spec.cached, spec.has_location,
            spec.parent, spec.submodule_search_locations, module.serve.__code__.co_filename if module is _worker
            else module.LineReader.readline.__code__.co_filename]
print(json.dumps({"loaded": loaded, "facts": [facts(_worker), facts(_wire)]}))
"""


class PreloadTest(unittest.TestCase):
    def setUp(self):
        # The SDK compiled where it was built, then moved (mtimes kept): as in the sandbox, where the
        # engine's compileall ran on the host path and the worker reads it at /sdk.
        self.tmp = tempfile.mkdtemp()
        built = os.path.join(self.tmp, "built")
        shutil.copytree(PYTHON_DIR, built, ignore=shutil.ignore_patterns("__pycache__", "tests"))
        self.assertTrue(compileall.compile_dir(os.path.join(built, "agentos"), quiet=1))
        self.sdk = os.path.join(self.tmp, "sdk")
        shutil.copytree(built, self.sdk)
        shutil.rmtree(built)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def facts(self, how):
        out = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", MODULE_FACTS, self.sdk, how],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def test_a_preloaded_module_is_what_the_ordinary_import_gives(self):
        preloaded, imported = self.facts("preload"), self.facts("import")
        self.assertEqual(preloaded["loaded"], 10)
        self.assertEqual(preloaded["facts"], imported["facts"])
        self.assertTrue(preloaded["facts"][0][1].startswith(self.sdk + "/"))
        self.assertTrue(preloaded["facts"][0][-1].startswith(self.sdk + "/"))  # the code names the moved source

    def stale(self, edit, mtime_step_ns):
        """Edits _wire.py (``edit(text)``), moves its mtime by ``mtime_step_ns``; returns what the worker then gets."""
        path = os.path.join(self.sdk, "agentos", "_wire.py")
        st = os.stat(path)
        with open(path) as file:
            text = file.read()
        with open(path, "w") as file:
            file.write(edit(text))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + mtime_step_ns))
        check = (f"import sys; sys.path.insert(0, {self.sdk!r}); from agentos import _entry; "
                 "n = _entry._preload.load(_entry.WORKER_MODULES); from agentos import _wire, _worker; "
                 "print(n, _wire.__doc__[:6], getattr(_wire, 'EDITED', False), _worker.LineReader is _wire.LineReader)")
        out = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", check], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout.split()

    def test_a_cache_older_than_its_source_is_not_used(self):
        # The same size, a later mtime: only the mtime tells. _results and _codec come first; it stops at _wire.
        edit = lambda text: text.replace('"""Newlin', '"""EDITED', 1)  # noqa: E731
        self.assertEqual(self.stale(edit, 10**9), ["2", "EDITED", "False", "True"])

    def test_a_cache_of_another_size_than_its_source_is_not_used(self):
        # The same mtime, another size: only the size tells.
        self.assertEqual(self.stale(lambda text: text + "\nEDITED = True\n", 0), ["2", "Newlin", "True", "True"])

    def test_the_worker_loads_its_sdk_modules_without_importlib_before_ready(self):
        # -X importtime lists only what importlib loaded: a module added to the worker's imports but not
        # to WORKER_MODULES shows up here.
        out = subprocess.run(
            [sys.executable, "-I", "-S", "-B", "-X", "importtime", os.path.join(self.sdk, "worker_main.py"),
             "--limits", "cpu=60,nofile=64", "--no-fork"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["__type__"], "ready")
        imported = {line.rpartition("|")[2].strip() for line in out.stderr.splitlines() if "|" in line}
        self.assertEqual(sorted(m for m in imported if m.startswith("agentos")),
                         ["agentos", "agentos._entry", "agentos._preload"])


if __name__ == "__main__":
    unittest.main()
