"""Tool decorators: metadata only, no behaviour.

The engine reads decorator arguments from the source (``agentos.discover``),
never by running it. At run time each decorator just records its arguments
on the function (``_agentos_*`` attributes, the same names the public SDK
uses) and returns the function unchanged.
"""


def _tag(attribute, value, accumulate=False):
    def decorator(func):
        if accumulate:
            # Decorators apply bottom-up; prepend to keep source order.
            setattr(func, attribute, list(value) + list(getattr(func, attribute, None) or []))
        else:
            setattr(func, attribute, value)
        return func

    return decorator


def returns(shape):
    """Declare what a tool returns: ``"shape"``, ``"shape[]"`` or an inline schema dict."""
    return _tag("_agentos_returns", shape)


def provides(*capabilities, **options):
    """Declare the capabilities a tool provides (``web_search``, ``llm``...).

    Keyword options (``urls``, ``domains``, ``models``, ``features``,
    ``description``...) are recorded alongside.
    """

    def decorator(func):
        mine = [{"tool": capability, **options} for capability in capabilities]
        entries = func._agentos_provides_all = mine + list(getattr(func, "_agentos_provides_all", ()))
        if entries:
            func._agentos_provides = entries[0]
        return func

    return decorator


def timeout(seconds):
    """Override the tool's time limit (seconds; the engine's default is 30)."""
    return _tag("_agentos_timeout", seconds)


def claims(*who):
    """Declare who claims the records this tool writes (``"primary_user"``)."""
    return _tag("_agentos_claims", list(who), accumulate=True)


def _attach_test(func, cases, skip=False, reason=None):
    func._agentos_test = {"cases": list(cases), "skip": skip, "skip_reason": reason}
    return func


class _Test:
    """``@test``, ``@test(params=..., account=..., expect=...)``, ``@test.cases(...)``, ``@test.skip(reason=...)``.

    ``expect`` (an AgentOS extension) states what the call's records must
    be: ``{"shape": ..., "min_count": ..., "values": {...}}``.
    """

    def __call__(self, func=None, *, params=None, account=None, expect=None):
        if callable(func):
            return _attach_test(func, [{}])
        case = {}
        if params is not None:
            case["params"] = params
        if account is not None:
            case["account"] = account
        if expect is not None:
            case["expect"] = expect
        return lambda f: _attach_test(f, [case])

    def cases(self, *cases):
        """Several test runs; each case is a dict like ``{"params": {...}, "account": "..."}``."""
        copied = [dict(c) for c in cases]
        return lambda f: _attach_test(f, copied)

    def skip(self, *, reason=None):
        """Leave the tool out of the test sweep, saying why."""
        return lambda f: _attach_test(f, [], skip=True, reason=reason)

    def __repr__(self) -> str:
        return "agentos.test"


test = _Test()
