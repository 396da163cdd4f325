"""Static facts about one skill source file, for the engine's skill checks.

Nothing here imports or runs skill code. :func:`lint` walks the parsed file
and reports what only the syntax tree shows — banned imports, SDK calls
missing ``await``, blocking sleeps in ``async def`` — plus, per tool, the
facts the engine judges against shapes and the readme: whether it takes
``**params``, the keys of the dicts it returns, which brokered services
the file uses (``sql``, ``http``...) and which imported modules are neither
the standard library nor the SDK (and whether each is optional: imported
only inside ``try:`` with an ``except ImportError:`` that does not raise
again), and the programs named by a literal at ``shell.run`` call sites.
SDK calls the engine refuses
(``graph.*``: records travel under ``@returns``) are findings too. The engine (``engine/skills/
skill_checks.ts``) turns these into problems; ``agentos skills validate``
and ``skills add`` print them with file and line.
"""

import ast
import sys

BANNED_IMPORTS = {
    "subprocess": "skills cannot run programs",
    "multiprocessing": "skills run one call per process",
    "socket": "the sandbox has no network; use agentos.client",
    "requests": "the sandbox has no network; use agentos.client",
    "httpx": "the sandbox has no network; use agentos.client",
    "aiohttp": "the sandbox has no network; use agentos.client",
    "urllib3": "the sandbox has no network; use agentos.client",
    "urllib.request": "the sandbox has no network; use agentos.client",
    "http.client": "the sandbox has no network; use agentos.client",
    "sqlite3": "use agentos.sql.query",
    "ctypes": "no native code in skills",
    "signal": "the worker owns signal handling",
}
"""Modules a skill may not import, and what to do instead."""

_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}
"""Top-level modules of the standard library (a skill's own modules are told apart by discovery)."""

_HTTP = frozenset({"request", "get", "post", "put", "patch", "delete", "head"})
SDK_ASYNC = {
    "client": _HTTP,
    "http": _HTTP,
    "secrets": frozenset({"read"}),
    "sql": frozenset({"query"}),
    "capability": frozenset({"call"}),
    "graph": None,  # every attribute is a brokered call
    "shell": frozenset({"run"}),
    "llm": frozenset({"oneshot", "agent"}),
    "oauth": frozenset({"exchange"}),
    "credentials": frozenset({"retrieve"}),
    "crypto": None,
    "keychain": frozenset({"read"}),
    "plist": frozenset({"parse"}),
}
"""SDK objects whose methods are coroutines (None: all of them)."""

SERVICE_OF = {"client": "http", "http": "http", "sql": "sql", "crypto": "crypto", "secrets": "secrets",
              "shell": "shell", "plist": "plist", "keychain": "keychain", "llm": "llm"}
"""The readme capability each SDK object's calls exercise."""

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
"""Exceptions an ``except`` clause catches a failed import with."""

_SCHEDULERS = frozenset({"gather", "create_task", "ensure_future", "wait", "wait_for", "shield", "as_completed",
                         "run"})


def lint(file: str, source: str) -> dict:
    """``{"findings": [...], "tools": {name: facts}, "services": {name: line}}`` for one file.

    A file that does not parse yields nothing: discovery reports its syntax error.
    """
    try:
        tree = ast.parse(source, filename=file)
    except (SyntaxError, ValueError):
        return {"findings": [], "tools": {}, "services": {}, "imports": {}, "programs": {}}
    return _Lint(file, tree).run()


class _Lint:
    def __init__(self, file, tree):
        self.file = file
        self.tree = tree
        self.findings = []
        self.sdk = {}  # local name -> SDK object name
        self.sdk_modules = set()  # local names bound to the agentos package
        self.services = {}
        self.foreign = {}  # top-level module -> {line, optional}, for modules outside the stdlib and the SDK
        self.programs = {}  # program named by a literal at a shell.run call site -> first line
        self.constants = _module_strings(tree)

    def find(self, line, reason, severity="error"):
        self.findings.append({"file": self.file, "line": line, "reason": reason, "severity": severity})

    def run(self):
        self._imports()
        local_async = {n.name for n in ast.walk(self.tree) if isinstance(n, ast.AsyncFunctionDef)}
        tools = {}
        for func in ast.walk(self.tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._calls(func, local_async)
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                tools[node.name] = {
                    "kwargs": node.args.kwarg is not None,
                    "return_keys": _return_keys(node),
                }
        self.findings.sort(key=lambda finding: finding["line"])
        return {"findings": self.findings, "tools": tools, "services": self.services, "imports": self.foreign,
                "programs": self.programs}

    def _imports(self):
        guarded = _guarded_imports(self.tree)
        for node in ast.walk(self.tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
                for alias in node.names:
                    if alias.name == "agentos":
                        self.sdk_modules.add(alias.asname or "agentos")
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
                if node.module in ("agentos", "agentos.tools"):
                    for alias in node.names:
                        if alias.name in SDK_ASYNC:
                            self.sdk[alias.asname or alias.name] = alias.name
                        elif alias.name == "*":
                            self.sdk.update({name: name for name in SDK_ASYNC})
            for name in names:
                top = name.split(".")[0]
                if top != "agentos" and top not in _STDLIB and top not in BANNED_IMPORTS:
                    seen = self.foreign.setdefault(top, {"line": node.lineno, "optional": True})
                    # Optional only if every import of it is guarded.
                    seen["optional"] = seen["optional"] and id(node) in guarded
                    seen["line"] = min(seen["line"], node.lineno)
                banned = next((b for b in BANNED_IMPORTS if name == b or name.startswith(b + ".")), None)
                if banned is None and name.split(".")[0] in BANNED_IMPORTS:
                    banned = name.split(".")[0]
                if banned is not None:
                    self.find(node.lineno, f'Import of "{name}" is not allowed: {BANNED_IMPORTS[banned]}')

    def _sdk_object(self, node):
        """The SDK object an expression names (``client``, ``sql``...), or None."""
        if isinstance(node, ast.Name):
            return self.sdk.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in self.sdk_modules and node.attr in SDK_ASYNC:
                return node.attr
        return None

    def _calls(self, func, local_async):
        consumed = set()
        for node in ast.walk(func):
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
                consumed.add(id(node.value))
            elif isinstance(node, ast.Call) and _callee_name(node.func) in _SCHEDULERS:
                for arg in node.args:
                    consumed.update(id(sub) for sub in ast.walk(arg) if isinstance(sub, ast.Call))
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
                consumed.add(id(node.value))  # returning the coroutine hands it to the caller
        for call in _own_nodes(func):
            if not isinstance(call, ast.Call):
                continue
            label = None
            callee = call.func
            if isinstance(callee, ast.Attribute):
                owner = self._sdk_object(callee.value)
                if owner == "graph" and not callee.attr.startswith("_"):
                    self.find(call.lineno, f"graph.{callee.attr}() is refused by the engine: return records "
                                           "under @returns and the engine writes them; read with sql.query")
                if owner == "shell" and callee.attr == "run":
                    self._program(call)
                if owner is not None:
                    self.services.setdefault(SERVICE_OF.get(owner, owner), call.lineno)
                    methods = SDK_ASYNC[owner]
                    if methods is None or callee.attr in methods:
                        label = f"{owner}.{callee.attr}"
                elif isinstance(callee.value, ast.Name) and callee.value.id == "time" and callee.attr == "sleep":
                    if isinstance(func, ast.AsyncFunctionDef):
                        self.find(call.lineno, f"time.sleep() in async {func.name}() blocks the worker: "
                                               "use await asyncio.sleep()")
            elif isinstance(callee, ast.Name) and callee.id in local_async and isinstance(func, ast.AsyncFunctionDef):
                label = callee.id
            if label is None or id(call) in consumed:
                continue
            if isinstance(func, ast.AsyncFunctionDef):
                self.find(call.lineno, f"{func.name}() calls {label}() without await: add await")
            else:
                self.find(call.lineno, f"{func.name}() calls {label}() but is not async: make it async def "
                                       "and await the call")


    def _program(self, call):
        """Records the program a ``shell.run`` call names by a literal (or a module-level string constant)."""
        named = [k.value for k in call.keywords if k.arg == "binary"]
        node = call.args[0] if call.args else (named[0] if named else None)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value
        elif isinstance(node, ast.Name) and node.id in self.constants:
            name = self.constants[node.id]
        else:
            return  # chosen at run time: only the owner's grant can name it
        self.programs.setdefault(name, call.lineno)


def _module_strings(tree):
    """Module-level names assigned once from a string literal (``GIT = "git"``)."""
    found, twice = {}, set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in found:
                twice.add(name)
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found[name] = node.value.value
    return {k: v for k, v in found.items() if k not in twice}


def _guarded_imports(tree):
    """Ids of import statements inside a ``try:`` whose handler catches a failed import and does not raise.

    Such an import is optional: the skill runs without the module.
    """
    guarded = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try) or not any(_tolerates_import_error(h) for h in node.handlers):
            continue
        for statement in node.body:
            for inner in ast.walk(statement):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    guarded.add(id(inner))
    return guarded


def _tolerates_import_error(handler):
    caught = handler.type
    names = [] if caught is None else caught.elts if isinstance(caught, ast.Tuple) else [caught]
    catches = caught is None or any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)
    raises = any(isinstance(n, ast.Raise) for statement in handler.body for n in ast.walk(statement))
    return catches and not raises


def _callee_name(node):
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _own_nodes(func):
    """Nodes of a function's body, not of functions nested in it."""
    stack = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                stack.append(child)


def _return_keys(func):
    """Keys of the dict literals the function returns (directly or as a list of them), or None."""
    keys, seen = set(), False
    for node in _own_nodes(func):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        for value in _returned_dicts(node.value):
            seen = True
            for key in value.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys.add(key.value)
    return sorted(keys) if seen else None


def _returned_dicts(node):
    if isinstance(node, ast.Dict):
        return [node]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e for e in node.elts if isinstance(e, ast.Dict)]
    if isinstance(node, ast.ListComp) and isinstance(node.elt, ast.Dict):
        return [node.elt]
    return []
