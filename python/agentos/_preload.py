"""Load the worker's own SDK modules straight from their ``.pyc``, without importlib's search.

Every worker imports the same dozen small SDK modules before ``ready``, and
for modules this small importlib's own work (the path search, the spec and
module locks, the ``.pyc`` checks, all in Python) costs more than running
their code: about 0.1 ms each, 1.3 ms of CPU a worker. ``load`` does what
``SourceFileLoader`` does for a timestamp-checked ``.pyc`` (the one the
engine's ``compileall`` writes) and nothing else: the cache file must carry
this interpreter's magic number and the source's mtime and size, exactly as
importlib checks them; the module gets the same ``__spec__``, ``__loader__``,
``__file__`` and ``__cached__``, and its code the source's path as its file
name. At the first module that is missing, stale or anything unusual, it stops
and leaves the rest to the ordinary ``import``, which then reads or compiles
them as ever.
"""

import _imp
import marshal
import sys

from _frozen_importlib import ModuleSpec
from _frozen_importlib_external import MAGIC_NUMBER, SourceFileLoader
from _io import open_code
from posix import stat

_PACKAGE = "agentos"
_DIR = __file__.rpartition("/")[0]
_TAG = sys.implementation.cache_tag


def load(names) -> int:
    """Load ``agentos.<name>`` for each of ``names``, in order; returns how many it loaded itself.

    A name must come after the SDK modules it imports, or the ordinary import
    loads those on the way (correct, only slower).
    """
    package = sys.modules.get(_PACKAGE)
    if package is None or _TAG is None or sys.flags.verbose:
        return 0
    loaded = 0
    for name in names:
        full = f"{_PACKAGE}.{name}"
        if full in sys.modules:
            continue
        module = _module(full, f"{_DIR}/{name}.py", f"{_DIR}/__pycache__/{name}.{_TAG}.pyc")
        if module is None:
            break
        setattr(package, name, module)
        loaded += 1
    return loaded


def _module(full: str, source: str, cached: str):
    """The module, run from ``cached``; None (and nothing loaded) when that file would not be used."""
    try:
        st = stat(source)
        with open_code(cached) as file:
            data = file.read()
    except OSError:
        return None
    # A timestamp-checked .pyc (PEP 552 flags 0): magic, flags, mtime, size, then the code.
    if (data[:4] != MAGIC_NUMBER or data[4:8] != b"\0\0\0\0"
            or int.from_bytes(data[8:12], "little") != int(st.st_mtime) & 0xFFFFFFFF
            or int.from_bytes(data[12:16], "little") != st.st_size & 0xFFFFFFFF):
        return None
    try:
        code = marshal.loads(memoryview(data)[16:])
    except (EOFError, ValueError, TypeError):
        return None
    _imp._fix_co_filename(code, source)
    loader = SourceFileLoader(full, source)
    spec = ModuleSpec(full, loader, origin=source)
    spec.has_location = True
    spec.cached = cached
    module = type(sys)(full)
    module.__dict__.update(__spec__=spec, __loader__=loader, __package__=_PACKAGE, __file__=source,
                           __cached__=cached)
    sys.modules[full] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        sys.modules.pop(full, None)
        raise
    return sys.modules[full]
