"""Tool result helpers: ``skill_error``, ``skill_result``, ``skill_secret``."""


class SkillError(Exception):
    """A failure the skill reports on purpose, with structured fields.

    Raise it or return it: either way the call ends as an error result with
    ``type: "SkillError"``, the message and the fields (``code``, ``hint``...).
    ``skill_error`` is this class, so ``return skill_error("...", code="X")``
    and ``raise skill_error("...")`` both work.
    """

    def __init__(self, message="", **fields):
        super().__init__(message)
        self.message = str(message)
        self.fields = fields

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return (_rebuild, (type(self), self.message, self.fields))


def _rebuild(cls, message, fields):
    return cls(message, **fields)


skill_error = SkillError


def skill_result(value=None, **fields) -> dict:
    """Wrap what callers see in the ``__result__`` envelope.

    ``skill_result(**fields)`` gives ``{"__result__": fields}``;
    ``skill_result(value)`` gives ``{"__result__": value}``; with both, the
    keyword fields become sibling envelope keys (e.g. ``__secrets__``).
    """
    if value is None:
        return {"__result__": fields}
    return {"__result__": value, **fields}


def skill_secret(domain, identifier, item_type, value, *, source=None, label=None, metadata=None) -> dict:
    """One ``__secrets__`` entry: a credential for the engine to store."""
    entry = {"domain": domain, "identifier": identifier, "item_type": item_type, "value": value}
    if source:
        entry["source"] = source
    if label:
        entry["label"] = label
    if metadata:
        entry["metadata"] = metadata
    return entry
