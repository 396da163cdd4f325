"""Read one skill source file with ``ast``: tools, connections, URLs, imports.

Nothing here imports or runs skill code. Decorator and ``connection(...)``
arguments must be literals; names of module-level constants assigned from
literals (``BASE = "https://..."``) and the SDK's capability constants
(``web_search``) count as literals too, as do ``+`` concatenations and
f-strings built only from those.
"""

import ast
import re

from agentos._signature import json_type, parse_arg_docs
from agentos.tools import CAPABILITIES

DECORATORS = frozenset({"returns", "provides", "connection", "timeout", "test", "claims"})
_SDK_NAMES = DECORATORS | frozenset(CAPABILITIES)
_CONNECTION_FIELDS = ("base_url", "domain", "auth", "description", "label", "help_url", "optional", "client", "vars",
                      "sqlite")
_URL = re.compile(r"https?://[^\s/?#:@]+", re.I)


class NotLiteral(ValueError):
    """An expression the scanner cannot evaluate without running code."""

    def __init__(self, node):
        super().__init__(ast.unparse(node))
        self.node = node


class FileScan:
    """Scan results for one file: ``tools``, ``connections``, ``urls``, ``imports``, ``problems``."""

    def __init__(self, file: str, source: str):
        self.file = file
        self.source = source
        self.tools = []
        self.connections = []
        self.urls = []  # (line, column, url)
        self.imports = set()
        self.capability_uses = set()  # capabilities called by literal name
        self.problems = []
        self._constants = {}
        self._sdk = {}  # local name -> SDK name
        self._sdk_modules = set()  # local names bound to agentos or one of its modules
        self._local = set()  # top-level names bound to something else

    def problem(self, line, reason: str) -> None:
        self.problems.append({"file": self.file, "line": line, "reason": reason})

    def run(self) -> "FileScan":
        try:
            tree = ast.parse(self.source, filename=self.file)
        except SyntaxError as error:
            self.problem(error.lineno or 1, f"Syntax error: {error.msg}")
            return self
        except ValueError as error:  # e.g. null bytes
            self.problem(1, f"Cannot parse: {error}")
            return self
        self._scan_imports(tree)
        for statement in tree.body:
            self._statement(statement)
        self._scan_urls(tree)
        self._scan_capability_calls(tree)
        return self

    def _scan_capability_calls(self, tree) -> None:
        """Capabilities called by a literal name: ``capability.call("web_read", ...)``, ``llm.oneshot(...)``."""
        callers = {  # imports inside functions count too
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in ("agentos", "agentos._services")
            for alias in node.names if alias.name == "capability"
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            target, verb = node.func.value, node.func.attr
            if verb == "call" and node.args and self._is_capability(target, callers):
                try:
                    name = self.value(node.args[0])
                except NotLiteral:
                    continue  # a name chosen at run time must be declared in the readme
                if isinstance(name, str):
                    self.capability_uses.add(name)
            elif verb in ("oneshot", "agent") and self._sdk_name(target) == "llm":
                self.capability_uses.add("llm")

    def _is_capability(self, node, callers) -> bool:
        if isinstance(node, ast.Name):
            return node.id in callers
        return (isinstance(node, ast.Attribute) and node.attr == "capability"
                and isinstance(node.value, ast.Name) and node.value.id in self._sdk_modules)

    # -- names ---------------------------------------------------------------

    def _scan_imports(self, tree) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imports.add(alias.name.split(".")[0])
                    if alias.name == "agentos" or alias.name.startswith("agentos."):
                        self._sdk_modules.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                self.imports.add(node.module.split(".")[0])
                from_sdk = node.module == "agentos" or node.module.startswith("agentos.")
                for alias in node.names:
                    local = alias.asname or alias.name
                    if from_sdk and alias.name in _SDK_NAMES:
                        self._sdk[local] = alias.name
                    elif from_sdk and node.module == "agentos" and alias.name == "tools":
                        self._sdk_modules.add(local)
                    elif alias.name != "*" and node in tree.body:
                        self._local.add(local)

    def _sdk_name(self, node):
        """The SDK name an expression refers to (``returns``, ``web_search``...), or None."""
        if isinstance(node, ast.Name):
            if node.id in self._sdk:
                return self._sdk[node.id]
            if node.id in _SDK_NAMES and node.id not in self._local:
                return node.id  # star import, or used without an import
            return None
        if isinstance(node, ast.Attribute) and node.attr in _SDK_NAMES:
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in self._sdk_modules:
                return node.attr
        return None

    def value(self, node):
        """Evaluate a literal expression, or raise NotLiteral."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, int, float, bool)) or node.value is None:
                return node.value
            raise NotLiteral(node)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                raise NotLiteral(node)
            return [self.value(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise NotLiteral(node)
            return {self._key(k): self.value(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand)
            if isinstance(operand, (int, float)) and not isinstance(operand, bool):
                return -operand if isinstance(node.op, ast.USub) else operand
            raise NotLiteral(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left), self.value(node.right)
            if type(left) is type(right) and isinstance(left, (str, list)):
                return left + right
            raise NotLiteral(node)
        if isinstance(node, ast.JoinedStr):
            return "".join(self._fstring_part(part) for part in node.values)
        sdk = self._sdk_name(node)
        if sdk in CAPABILITIES:
            return sdk
        if isinstance(node, ast.Name) and node.id in self._constants:
            return self._constants[node.id]
        raise NotLiteral(node)

    def _key(self, node):
        key = self.value(node)
        if isinstance(key, (str, int, float, bool)) or key is None:
            return key if isinstance(key, str) else str(key)
        raise NotLiteral(node)

    def _fstring_part(self, part):
        if isinstance(part, ast.Constant):
            return str(part.value)
        if isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None:
            resolved = self.value(part.value)
            if isinstance(resolved, (str, int)) and not isinstance(resolved, bool):
                return str(resolved)
        raise NotLiteral(part)

    def _literal(self, node, owner: str):
        """``value(node)``, recording a problem naming ``owner`` when it is not a literal."""
        try:
            return self.value(node)
        except NotLiteral as error:
            self.problem(node.lineno, f"{owner} argument is not a literal: {str(error)[:80]}")
            raise

    # -- statements ----------------------------------------------------------

    def _statement(self, node) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(node)
            self._rebind(node.name)
            return
        if isinstance(node, ast.ClassDef):
            self._rebind(node.name)
            return
        call = None
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            call = node.value
        if call is not None and self._sdk_name(call.func) == "connection":
            self._connection(call)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            for name in names:
                self._rebind(name)
            if len(names) == len(targets) and node.value is not None:
                try:
                    resolved = self.value(node.value)
                except NotLiteral:
                    return
                for name in names:
                    self._constants[name] = resolved

    def _rebind(self, name: str) -> None:
        self._constants.pop(name, None)
        self._sdk.pop(name, None)
        self._local.add(name)

    def _connection(self, call) -> None:
        record = {"name": None, **{field: None for field in _CONNECTION_FIELDS}, "options": {},
                  "file": self.file, "line": call.lineno}
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            self.problem(call.lineno, "connection() arguments must be written out, not unpacked")
        named = [k.value for k in call.keywords if k.arg == "name"]
        name_node = call.args[0] if call.args else (named[0] if named else None)
        if name_node is None:
            self.problem(call.lineno, "connection() needs a name")
            return
        try:
            record["name"] = self._literal(name_node, "connection()")
        except NotLiteral:
            return
        if not isinstance(record["name"], str):
            self.problem(call.lineno, "connection() name must be a string")
            return
        for keyword in call.keywords:
            if keyword.arg in (None, "name"):
                continue
            try:
                resolved = self._literal(keyword.value, f"connection() {keyword.arg}=")
            except NotLiteral:
                continue
            if keyword.arg in _CONNECTION_FIELDS:
                record[keyword.arg] = resolved
            else:
                record["options"][keyword.arg] = resolved
        self.connections.append(record)

    # -- tools ---------------------------------------------------------------

    def _decorator(self, node):
        """``(kind, call or None)`` for an SDK decorator, else None."""
        target = node.func if isinstance(node, ast.Call) else node
        kind = self._sdk_name(target)
        if kind is None and isinstance(target, ast.Attribute) and target.attr in ("cases", "skip"):
            if self._sdk_name(target.value) == "test":
                kind = "test." + target.attr
        if kind in DECORATORS or kind in ("test.cases", "test.skip"):
            return kind, node if isinstance(node, ast.Call) else None
        return None

    def _function(self, node) -> None:
        decorators = [d for d in map(self._decorator, node.decorator_list) if d is not None]
        if not decorators or node.name.startswith("_"):
            return
        doc = ast.get_docstring(node) or ""
        arg_docs = parse_arg_docs(doc)
        tool = {
            "name": node.name,
            "file": self.file,
            "line": node.lineno,
            "description": next((line.strip() for line in doc.splitlines() if line.strip()), ""),
            "doc": doc,
            "params": self._params(node.args, arg_docs),
            "provides": [],
            "provides_options": {},
            "returns": None,
            "timeout": None,
            "connection": None,
            "claims": [],
            "tests": [],
            "test_skip": None,
            "is_async": isinstance(node, ast.AsyncFunctionDef),
        }
        for kind, call in decorators:
            try:
                self._apply(tool, kind, call)
            except NotLiteral:
                pass
        if not tool["is_async"]:
            self.problem(node.lineno, f"Tool {node.name} must be async def")
        self.tools.append(tool)

    def _apply(self, tool, kind, call) -> None:
        label = "@" + kind
        if call is None:
            if kind == "test":
                tool["tests"].append({"params": {}})
            else:
                self.problem(tool["line"], f"{label} must be called with arguments")
            return
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            self.problem(call.lineno, f"{label} arguments must be written out, not unpacked")
            return
        args = [self._literal(a, label) for a in call.args]
        options = {k.arg: self._literal(k.value, label) for k in call.keywords}
        if kind in ("returns", "timeout", "connection"):
            key = {"returns": "shape", "timeout": "seconds", "connection": "name"}[kind]
            value = args[0] if args else options.get(key)
            if value is None or len(args) > 1:
                self.problem(call.lineno, f"{label} takes exactly one argument")
            elif kind == "returns" and not isinstance(value, (str, dict)):
                self.problem(call.lineno, f"{label} takes a shape name or an inline schema dict")
            elif kind == "timeout" and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
                self.problem(call.lineno, f"{label} takes a positive number of seconds")
            elif kind == "connection" and not (
                isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            ):
                self.problem(call.lineno, f"{label} takes a connection name or a list of names")
            elif kind == "timeout":
                tool["timeout"] = int(value) if float(value).is_integer() else value
            elif kind == "connection":
                tool["connection"] = [value] if isinstance(value, str) else value
            else:
                tool["returns"] = value
        elif kind == "provides":
            if not args or not all(isinstance(a, str) for a in args):
                self.problem(call.lineno, f"{label} takes capability names")
                return
            tool["provides"].extend(a for a in args if a not in tool["provides"])
            tool["provides_options"].update(options)
        elif kind == "claims":
            tool["claims"].extend(str(a) for a in args)
        elif kind == "test":
            tool["tests"].append(_test_case(options))
        elif kind == "test.cases":
            for case in args:
                if not isinstance(case, dict):
                    self.problem(call.lineno, f"{label} takes dicts like {{'params': {{...}}}}")
                    return
                tool["tests"].append(_test_case(case))
        elif kind == "test.skip":
            tool["test_skip"] = {"reason": options.get("reason")}

    def _params(self, arguments, arg_docs):
        positional = arguments.posonlyargs + arguments.args
        defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
        pairs = list(zip(positional, defaults)) + list(zip(arguments.kwonlyargs, arguments.kw_defaults))
        params = []
        for arg, default in pairs:
            value = None
            if default is not None:
                try:
                    value = self.value(default)
                except NotLiteral:
                    value = None
            params.append({
                "name": arg.arg,
                "type": json_type(arg.annotation),
                "required": default is None,
                "default": value,
                "description": arg_docs.get(arg.arg),
            })
        return params

    # -- URLs ----------------------------------------------------------------

    def _scan_urls(self, tree) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                candidate = node.value
            elif isinstance(node, ast.JoinedStr):
                candidate = self._prefix(node.values)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                candidate = self._prefix(_flatten_add(node))
            else:
                continue
            if candidate and _URL.match(candidate) and not any(c.isspace() for c in candidate):
                self.urls.append((node.lineno, node.col_offset, candidate))

    def _prefix(self, parts) -> str:
        """The constant beginning of an f-string or ``+`` chain."""
        text = []
        for part in parts:
            try:
                piece = self._fstring_part(part) if isinstance(part, ast.FormattedValue) else self.value(part)
            except NotLiteral:
                break
            if not isinstance(piece, str):
                break
            text.append(piece)
        return "".join(text)


def _flatten_add(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _flatten_add(node.left) + _flatten_add(node.right)
    return [node]


def _test_case(options: dict) -> dict:
    case = dict(options)
    if not isinstance(case.get("params"), dict):
        case["params"] = {}
    return case
