"""What a tool's signature and docstring say about its parameters.

``json_type`` maps a type hint (as an ``ast`` node) to a JSON Schema type;
``parse_arg_docs`` reads a Google-style ``Args:`` section.
"""

import ast
import re

_ARG_SECTIONS = ("args:", "arguments:", "parameters:", "params:", "keyword args:", "keyword arguments:", "kwargs:")
_SCALAR_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "bytes": None}
_ARRAY_TYPES = {"list", "List", "tuple", "Tuple", "set", "Set", "frozenset", "FrozenSet", "Sequence", "Iterable",
                "MutableSequence", "Collection"}
_OBJECT_TYPES = {"dict", "Dict", "Mapping", "MutableMapping", "TypedDict", "OrderedDict", "defaultdict"}


def json_type(annotation):
    """JSON Schema type name for a type hint (``Optional[X]`` → X), or None."""
    if annotation is None:
        return None
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _union([*_flatten_or(annotation)])
    name = _type_name(annotation.value if isinstance(annotation, ast.Subscript) else annotation)
    if isinstance(annotation, ast.Subscript):
        inner = annotation.slice
        members = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if name == "Optional":
            return json_type(members[0])
        if name == "Union":
            return _union(members)
        if name == "Annotated":
            return json_type(members[0])
        if name == "Literal":
            kinds = {type(m.value).__name__ for m in members if isinstance(m, ast.Constant)}
            return _SCALAR_TYPES.get(kinds.pop()) if len(kinds) == 1 else None
    if name in _SCALAR_TYPES:
        return _SCALAR_TYPES[name]
    if name in _ARRAY_TYPES:
        return "array"
    if name in _OBJECT_TYPES:
        return "object"
    return None


def _type_name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _flatten_or(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_flatten_or(node.left), *_flatten_or(node.right)]
    return [node]


def _union(members):
    kept = [m for m in members if not (isinstance(m, ast.Constant) and m.value is None) and _type_name(m) != "None"]
    types = {json_type(m) for m in kept}
    return types.pop() if len(types) == 1 else None


def parse_arg_docs(doc: str) -> dict:
    """Parameter descriptions from a Google-style ``Args:`` section."""
    docs = {}
    section_indent = None
    entry_indent = None
    current = None
    for line in doc.splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if section_indent is None:
            if stripped.lower() in _ARG_SECTIONS:
                section_indent = indent
            continue
        if not stripped:
            continue
        if indent <= section_indent:
            section_indent = indent if stripped.lower() in _ARG_SECTIONS else None
            entry_indent = current = None
            continue
        if entry_indent is None:
            entry_indent = indent
        if indent == entry_indent:
            match = re.match(r"\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$", stripped)
            if match:
                current = match.group(1)
                docs[current] = match.group(2).strip()
                continue
        if current is not None:
            docs[current] = f"{docs[current]} {stripped}".strip()
    return docs
