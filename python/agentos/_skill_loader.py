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

import sys


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
        entry = self._modules.get(fullname)
        if entry is None:
            return None
        from importlib.machinery import ModuleSpec

        spec = ModuleSpec(fullname, self, origin=self._filename(fullname), is_package=entry[1])
        spec.has_location = True
        if entry[1]:
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
        return compile(self.get_source(fullname), self._filename(fullname), "exec", dont_inherit=True)

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
        if existing is not None and getattr(existing, "__loader__", None) is not self:
            # The name is taken by a module the worker already runs on (a skill
            # file called json.py, say): load the skill's module beside it,
            # unregistered, rather than break the worker.
            from importlib.util import module_from_spec

            module = module_from_spec(self.find_spec(name))
            self.exec_module(module)
            return module
        import importlib

        return importlib.import_module(name)
