"""The ``llm`` capability as a client: ``await llm.oneshot(...)`` and ``await llm.agent(...)``.

Both ask whichever skill provides ``llm`` through the engine, with the
parameters catalog LLM providers take: ``model``, ``messages`` (a list of
``{"role", "content"}``), ``system`` and ``temperature``; ``agent`` adds
``tools`` and ``max_iterations``. ``model`` defaults to ``"sonnet"``, as in
the reference SDK: providers resolve that alias (or use their default).
"""

from agentos._services import capability


def _messages(prompt, messages):
    if messages is not None:
        return [dict(m) for m in messages]
    if prompt is None:
        raise TypeError("llm needs a prompt or messages")
    return [{"role": "user", "content": str(prompt)}]


class LlmCapability(str):
    """The ``llm`` capability name, which is also the LLM client.

    ``@provides(llm)`` records the string ``"llm"``.
    """

    async def oneshot(self, prompt=None, system=None, model="sonnet", temperature=0, messages=None, **options):
        """One completion: ``{"content", "usage", ...}`` as the provider returns it."""
        params = {
            "model": model,
            "messages": _messages(prompt, messages),
            "system": system or "",
            "temperature": temperature,
            **options,
        }
        return await capability.call(str(self), params, verb="oneshot")

    async def agent(self, prompt=None, system=None, model="sonnet", tools=None, max_iterations=20, temperature=0,
                    output_schema=None, messages=None, **options):
        """A tool-using run: ``{"content", "data", "usage", "iterations", "tool_calls", "error"}``."""
        params = {
            "model": model,
            "messages": _messages(prompt, messages),
            "system": system or "",
            "tools": list(tools or []),
            "temperature": temperature,
            "max_iterations": max_iterations,
            **options,
        }
        if output_schema is not None:
            params["output_schema"] = output_schema
        result = await capability.call(str(self), params, verb="agent")
        if not isinstance(result, dict):
            return {"content": result, "data": None, "usage": {}, "iterations": 1, "tool_calls": [], "error": None}
        return {
            "content": result.get("content") or "",
            "data": result.get("data", result.get("structured_output")),
            "usage": result.get("usage") or {},
            "iterations": result.get("iterations") or result.get("num_turns") or 1,
            "tool_calls": result.get("tool_calls") or [],
            "error": result.get("error"),
        }
