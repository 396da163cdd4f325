"""The YAML front matter of a skill's readme.md — a small YAML subset.

Enough YAML for front matter: mappings and sequences by indentation (also
``- key: value`` items), plain / single-quoted / double-quoted scalars
(multi-line plain scalars fold), flow lists ``[a, b]`` and flow maps
``{a: 1}``, literal ``|`` and folded ``>`` block scalars, ``#`` comments.
Scalars follow YAML 1.2's core schema, like the engine's YAML library:
``true``/``false``, ``null``/``~``, integers (also ``0x``/``0o``), floats;
everything else — dates and ``yes`` included — is a string.

Anchors, aliases, tags, directives, complex keys and multiple documents are
refused with a ``FrontMatterError`` naming the line.
"""

import re

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
            "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


class FrontMatterError(ValueError):
    """Front matter this parser cannot read; ``line`` is 1-based in readme.md."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"readme.md line {line}: {reason}")
        self.line = line
        self.reason = reason


def split(text: str):
    """``(lines, first_line_number)`` of the front matter block, or None if there is none.

    Raises:
        FrontMatterError: an opening ``---`` is never closed.
    """
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return lines[1:index], 2
    raise FrontMatterError(1, "front matter opened with --- is never closed")


def parse(text: str):
    """The front matter of a readme as a dict; ``None`` when the readme has none.

    Raises:
        FrontMatterError: unsupported or malformed YAML.
    """
    block = split(text)
    if block is None:
        return None
    value = _Parser(*block).parse()
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FrontMatterError(block[1], "front matter must be a mapping of keys to values")
    return value


class _Line:
    __slots__ = ("number", "indent", "text", "raw_index")

    def __init__(self, number, indent, text, raw_index):
        self.number, self.indent, self.text, self.raw_index = number, indent, text, raw_index


def _strip_comment(text: str) -> str:
    quote = None
    index = 0
    while index < len(text):
        char = text[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if quote:
            if char == quote == "'" and text[index + 1 : index + 2] == "'":
                index += 2
                continue
            if char == quote:
                quote = None
        elif char in "\"'" and (index == 0 or text[index - 1] in " \t[{,:-"):
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index].rstrip()
        index += 1
    return text.rstrip()


def _is_item(text: str) -> bool:
    return text == "-" or text.startswith("- ")


def _key_split(text: str, number: int):
    """``(key, rest)`` when ``text`` is ``key: rest``, else None."""
    if text.startswith("? "):
        raise FrontMatterError(number, "complex keys (?) are not supported")
    if text[:1] in "\"'":
        key, end = _quoted(text, 0, number)
        rest = text[end:].lstrip()
        if rest == ":" or rest.startswith(": "):
            return key, rest[1:].strip()
        return None
    if text[:1] in "[{":
        return None
    match = re.search(r":(?:\s|$)", text)
    if match is None:
        return None
    return text[: match.start()].strip(), text[match.end() :].strip()


def _quoted(text: str, start: int, number: int):
    """Parse the quoted scalar at ``text[start]``; returns ``(value, end index)``."""
    quote = text[start]
    out = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if quote == "'":
            if char == "'":
                if text[index + 1 : index + 2] == "'":
                    out.append("'")
                    index += 2
                    continue
                return "".join(out), index + 1
            out.append(char)
        elif char == '"':
            return "".join(out), index + 1
        elif char == "\\":
            code = text[index + 1 : index + 2]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                index += 2
                continue
            width = _HEX_ESCAPES.get(code)
            digits = text[index + 2 : index + 2 + (width or 0)]
            if not width or len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise FrontMatterError(number, f"unknown escape \\{code} in a double-quoted string")
            out.append(chr(int(digits, 16)))
            index += 2 + width
            continue
        else:
            out.append(char)
        index += 1
    raise FrontMatterError(number, f"unterminated {quote}-quoted string")


def _plain(text: str, number: int):
    """Resolve a plain scalar with YAML 1.2 core schema rules."""
    if text[:1] in ("&", "*", "!"):
        raise FrontMatterError(number, f"anchors, aliases and tags are not supported: {text[:40]!r}")
    if text[:1] in ("@", "`", "%"):
        raise FrontMatterError(number, f"a plain value cannot start with {text[0]!r}: {text[:40]!r}")
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if re.fullmatch(r"0x[0-9a-fA-F]+", text):
        return int(text, 16)
    if re.fullmatch(r"0o[0-7]+", text):
        return int(text[2:], 8)
    if _FLOAT.fullmatch(text):
        return float(text)
    if re.fullmatch(r"[-+]?\.(?:inf|Inf|INF)", text):
        return float("-inf") if text[0] == "-" else float("inf")
    if text in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return text


def _flow(text: str, index: int, number: int, stops: str):
    """Parse one flow value at ``text[index]``; returns ``(value, end index)``."""
    while index < len(text) and text[index] in " \t":
        index += 1
    if index >= len(text):
        return None, index
    char = text[index]
    if char in "\"'":
        return _quoted(text, index, number)
    if char == "[":
        items = []
        index += 1
        while True:
            while index < len(text) and text[index] in " \t":
                index += 1
            if text[index : index + 1] == "]":
                return items, index + 1
            value, index = _flow(text, index, number, ",]")
            items.append(value)
            index = _expect(text, index, number, ",]")
            if text[index - 1] == "]":
                return items, index
    if char == "{":
        mapping = {}
        index += 1
        while True:
            while index < len(text) and text[index] in " \t":
                index += 1
            if text[index : index + 1] == "}":
                return mapping, index + 1
            key, index = _flow(text, index, number, ":,}")
            value = None
            while index < len(text) and text[index] in " \t":
                index += 1
            if text[index : index + 1] == ":":
                value, index = _flow(text, index + 1, number, ",}")
            mapping[str(key) if not isinstance(key, str) else key] = value
            index = _expect(text, index, number, ",}")
            if text[index - 1] == "}":
                return mapping, index
    end = index
    while end < len(text) and text[end] not in stops:
        end += 1
    return _plain(text[index:end].strip(), number), end


def _expect(text: str, index: int, number: int, chars: str) -> int:
    while index < len(text) and text[index] in " \t":
        index += 1
    if index >= len(text) or text[index] not in chars:
        raise FrontMatterError(number, f"expected one of {' '.join(chars)} in {text!r}")
    return index + 1


def _scalar(text: str, number: int):
    """A whole inline value: quoted, flow collection or plain scalar."""
    if text[:1] in "\"'[{":
        value, end = _flow(text, 0, number, "")
        if text[end:].strip():
            raise FrontMatterError(number, f"unexpected text after value: {text[end:].strip()!r}")
        return value
    return _plain(text, number)


class _Parser:
    def __init__(self, raw_lines, first_number):
        self.raw = raw_lines
        self.first = first_number
        self.lines = []
        for index, raw in enumerate(raw_lines):
            stripped = raw.lstrip(" \t")
            if stripped.strip() and "\t" in raw[: len(raw) - len(stripped)]:
                raise FrontMatterError(first_number + index, "tabs cannot indent YAML")
            body = raw.lstrip(" ")
            text = _strip_comment(body)
            if text.startswith("%") or text in ("---", "..."):
                raise FrontMatterError(first_number + index, "directives and multiple documents are not supported")
            if text:
                self.lines.append(_Line(first_number + index, len(raw) - len(body), text, index))
        self.pos = 0

    def parse(self):
        if not self.lines:
            return None
        value = self.block(self.lines[0].indent)
        if self.pos < len(self.lines):
            raise FrontMatterError(self.lines[self.pos].number, "unexpected indentation")
        return value

    def block(self, indent):
        if _is_item(self.lines[self.pos].text):
            return self.sequence(indent)
        line = self.lines[self.pos]
        if _key_split(line.text, line.number) is None:
            self.pos += 1
            return self.inline(line.text, indent - 1, line)
        return self.mapping(indent)

    def mapping(self, indent):
        result = {}
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if line.indent < indent:
                break
            if line.indent > indent:
                raise FrontMatterError(line.number, "unexpected indentation")
            pair = None if _is_item(line.text) else _key_split(line.text, line.number)
            if pair is None:
                raise FrontMatterError(line.number, f"expected key: value, got {line.text[:40]!r}")
            key, rest = pair
            if key in result:
                raise FrontMatterError(line.number, f'duplicate key "{key}"')
            self.pos += 1
            result[key] = self.value(rest, indent, line)
        return result

    def sequence(self, indent):
        items = []
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if line.indent < indent or (line.indent == indent and not _is_item(line.text)):
                break
            if line.indent > indent:
                raise FrontMatterError(line.number, "unexpected indentation")
            rest = line.text[1:].lstrip(" ")
            if not rest:
                self.pos += 1
                nested = self.pos < len(self.lines) and self.lines[self.pos].indent > indent
                items.append(self.block(self.lines[self.pos].indent) if nested else None)
            elif _is_item(rest) or _key_split(rest, line.number) is not None:
                # "- key: v" opens a mapping whose keys align with "key".
                offset = line.indent + len(line.text) - len(rest)
                self.lines[self.pos] = _Line(line.number, offset, rest, line.raw_index)
                items.append(self.block(offset))
            else:
                self.pos += 1
                items.append(self.inline(rest, indent, line))
        return items

    def value(self, rest, indent, line):
        if rest == "":
            if self.pos < len(self.lines):
                following = self.lines[self.pos]
                if following.indent > indent:
                    return self.block(following.indent)
                if following.indent == indent and _is_item(following.text):
                    return self.sequence(indent)
            return None
        if rest[0] in "|>":
            return self.block_scalar(rest, indent, line)
        return self.inline(rest, indent, line)

    def inline(self, text, indent, line):
        """An inline value, folding continuation lines indented deeper than ``indent``."""
        while self.pos < len(self.lines) and self.lines[self.pos].indent > indent and self._open(text):
            text = f"{text} {self.lines[self.pos].text}"
            self.pos += 1
        if text[:1] not in "\"'[{":
            while self.pos < len(self.lines) and self.lines[self.pos].indent > indent:
                following = self.lines[self.pos]
                if _is_item(following.text) or _key_split(following.text, following.number) is not None:
                    raise FrontMatterError(following.number, "unexpected indentation")
                text = f"{text} {following.text}"
                self.pos += 1
        return _scalar(text, line.number)

    @staticmethod
    def _open(text: str) -> bool:
        """Whether a quoted or flow value continues on the next line."""
        if text[:1] in "\"'":
            try:
                _quoted(text, 0, 0)
                return False
            except FrontMatterError:
                return True
        if text[:1] in "[{":
            depth = 0
            for char in text:
                depth += char in "[{"
                depth -= char in "]}"
            return depth > 0
        return False

    def block_scalar(self, header, indent, line):
        match = re.fullmatch(r"([|>])([-+]?)([1-9]?)([-+]?)", header)
        if match is None:
            raise FrontMatterError(line.number, f"bad block scalar header {header!r}")
        style, chomp = match.group(1), match.group(2) or match.group(4)
        start = line.raw_index + 1
        end = start
        content_indent = indent + int(match.group(3)) if match.group(3) else None
        while end < len(self.raw):
            raw = self.raw[end]
            width = len(raw) - len(raw.lstrip(" "))
            if raw.strip():
                if width <= indent:
                    break
                if content_indent is None:
                    content_indent = width
                elif width < content_indent:
                    break
            end += 1
        while self.pos < len(self.lines) and self.lines[self.pos].raw_index < end:
            self.pos += 1
        body = [raw[content_indent or 0 :] if raw.strip() else "" for raw in self.raw[start:end]]
        trailing = 0
        while body and body[-1] == "":
            body.pop()
            trailing += 1
        if style == "|":
            text = "\n".join(body)
        else:
            # Folding: a break between two plain lines becomes a space; blank
            # lines and more-indented lines keep their newlines.
            parts = body[:1]
            for previous, part in zip(body, body[1:]):
                if part == "":
                    parts.append("\n")
                elif previous == "":
                    parts.append(part)
                elif part.startswith(" ") or previous.startswith(" "):
                    parts.append("\n" + part)
                else:
                    parts.append(" " + part)
            text = "".join(parts)
        if chomp == "-" or not body:
            return text
        return text + "\n" * (1 + trailing if chomp == "+" else 1)
