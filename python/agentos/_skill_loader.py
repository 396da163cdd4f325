"""Import a skill's modules from source text shipped in the ``call`` message.

A spare worker starts before it knows its skill, so the engine sends the
skill's ``.py`` files as text. ``SkillSourceFinder`` is a meta path finder and
loader over that dict: ``helpers/util.py`` is module ``helpers.util``,
``helpers/__init__.py`` makes ``helpers`` a package (a directory without one
is a namespace-style package), and every module gets ``__file__`` =
``<skill dir>/<relpath>`` so tracebacks name the real file. ``get_source``
lets ``linecache`` show source lines even where that path is not readable.

It implements the finder/loader protocol without subclassing
``importlib.abc``: importing that module costs ~10 ms (it pulls in
``importlib.resources``), paid by every call for nothing.
"""

import _imp
import _warnings
import sys

# ModuleSpec without importing importlib (and warnings, which it imports):
# importlib.machinery re-exports this class from the already loaded bootstrap.
from _frozen_importlib import ModuleSpec

STDLIB_FIRST = frozenset({
    "_struct", "_weakrefset", "collections", "copyreg", "ctypes", "enum", "functools", "importlib", "json",
    "keyword", "operator", "re", "reprlib", "struct", "threading", "types", "warnings",
})
"""Standard modules a skill's own file never shadows, though the worker no longer imports them before the call.

The worker used to load these while starting, so a skill's ``json.py`` never
replaced the standard ``json`` for the skill's other modules (or for the
SDK, which imports some of them lazily). Declining them keeps that behaviour
now that they load on first use.
"""


_filters_mutated = getattr(_warnings, "_filters_mutated", None)  # named otherwise in later Pythons


class _Compiled(BaseException):
    """Carries the code object out of ``exec`` (see ``compile_module``)."""


def compile_module(source: str, filename: str):
    """``compile(source, filename, "exec", dont_inherit=True)``, without its ~0.8 ms first use.

    ``compile`` begins by asking whether ``source`` is an AST object, and the
    first time that makes the interpreter build its hundred-odd AST classes;
    ``exec`` of a string compiles the same code without them. So the source
    goes to ``exec`` under a trace function that stops it before its first
    instruction and keeps the code object, whose file name is then set, as
    importlib does for a moved ``.pyc``. Anything unusual (a syntax error, a
    compile-time warning, a tracer already installed, such as a debugger's,
    the ``warnings`` module loaded) gets the real ``compile``, so errors and
    warnings read exactly as ever.
    """
    code = None
    # Once the warnings module is loaded its own filter list may be the live one.
    if sys.gettrace() is None and _filters_mutated is not None and "warnings" not in sys.modules:
        here = sys._getframe()

        def stop(frame, event, arg):
            if frame.f_back is here and frame.f_code.co_name == "<module>":
                raise _Compiled(frame.f_code)

        # Warnings become errors meanwhile (no "<string>" in a warning), and
        # an error means the real compile.
        _warnings.filters.insert(0, ("error", None, Warning, None, 0))
        _filters_mutated()
        sys.settrace(stop)
        try:
            exec(source, {"__builtins__": {}})  # no builtins: nothing could run far if stop did not fire
        except _Compiled as compiled:
            code = compiled.args[0]
        except Exception:  # noqa: BLE001 — compile() below reports it properly
            pass
        finally:
            sys.settrace(None)
            _warnings.filters.remove(("error", None, Warning, None, 0))
            _filters_mutated()
    if code is None or code.co_filename != "<string>":
        return compile(source, filename, "exec", dont_inherit=True)
    _imp._fix_co_filename(code, filename)
    return code


def _clean(relpath: str) -> str:
    clean = relpath.replace("\\", "/")
    while clean.startswith("./"):
        clean = clean[2:]
    return clean


class SkillSourceFinder:
    """Finds and loads modules of one skill from ``{relpath: source}``."""

    def __init__(self, sources: dict, root: str = "/skill"):
        self._root = root.rstrip("/") or "/"
        self._modules = {}  # dotted name -> (relpath or None, is_package)
        for relpath in sorted(sources):
            if not relpath.endswith(".py"):
                continue
            clean = _clean(relpath)
            parts = clean[:-3].split("/")
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            if not parts or not all(parts):
                continue
            for depth in range(1, len(parts)):
                self._modules.setdefault(".".join(parts[:depth]), (None, True))
            self._modules[".".join(parts)] = (clean, is_package)
        self._sources = {_clean(p): s for p, s in sources.items()}

    def names(self):
        """Dotted names of every module the skill ships."""
        return sorted(self._modules)

    def install(self) -> None:
        """Put the finder on ``sys.meta_path`` just before the path-based finder.

        Builtin and frozen modules still win, and skill modules shadow stdlib
        modules not yet imported — as a script's own directory would.
        """
        position = len(sys.meta_path)
        for index, finder in enumerate(sys.meta_path):
            if getattr(finder, "__name__", "") == "PathFinder":
                position = index
                break
        sys.meta_path.insert(position, self)

    def _filename(self, name: str) -> str:
        relpath, is_package = self._modules[name]
        if relpath is None:
            relpath = name.replace(".", "/") + "/__init__.py"
        return f"{self._root}/{relpath}" if self._root != "/" else f"/{relpath}"

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self._modules or fullname in STDLIB_FIRST:
            return None
        return self._spec(fullname)

    def _spec(self, fullname):
        is_package = self._modules[fullname][1]
        spec = ModuleSpec(fullname, self, origin=self._filename(fullname), is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [f"{self._root.rstrip('/')}/{fullname.replace('.', '/')}"]
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        exec(self.get_code(module.__name__), module.__dict__)

    def get_source(self, fullname):
        relpath, _ = self._modules[fullname]
        return "" if relpath is None else self._sources[relpath]

    def get_code(self, fullname):
        return compile_module(self.get_source(fullname), self._filename(fullname))

    def get_filename(self, fullname) -> str:
        return self._filename(fullname)

    def is_package(self, fullname) -> bool:
        return self._modules[fullname][1]

    def load(self, name: str):
        """Import the skill module ``name`` and return it.

        Raises:
            ModuleNotFoundError: ``name`` is not among the shipped sources.
        """
        if name not in self._modules:
            raise ModuleNotFoundError(f'Skill module "{name}" is not among the shipped sources', name=name)
        existing = sys.modules.get(name)
        if name in STDLIB_FIRST or existing is not None and getattr(existing, "__loader__", None) is not self:
            # The name is taken by a module the worker runs on (a skill file
            # called json.py, say): load the skill's module beside it,
            # unregistered, rather than break the worker.
            from importlib.util import module_from_spec

            module = module_from_spec(self._spec(name))
            self.exec_module(module)
            return module
        __import__(name)  # importlib.import_module(name), without importing importlib
        return sys.modules[name]
