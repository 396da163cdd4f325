"""Chat completions from an OpenAI-compatible endpoint (Ollama, llama.cpp, OpenAI)."""

from agentos import client, connection, llm, provides, returns, skill_error, test, timeout

connection("ollama", base_url="http://localhost:11434/v1", description="Ollama on this machine")
connection("llamacpp", base_url="http://localhost:8080/v1", description="A llama.cpp server on this machine")
connection(
    "openai",
    base_url="https://api.openai.com/v1",
    auth={"type": "api_key", "header": {"Authorization": '"Bearer " + .auth.key'}},
    label="OpenAI API key",
    help_url="https://platform.openai.com/api-keys",
)

DEFAULT_MODELS = {"ollama": "llama3.2", "llamacpp": "default", "openai": "gpt-4o-mini"}


_REFERENCE_ALIASES = ("opus", "sonnet", "haiku")


@returns({"content": "string", "model": "string", "finish_reason": "string", "usage": "object"})
@provides(llm, description="Answer a prompt or continue a chat with a language model")
@connection(["ollama", "llamacpp", "openai"])
@timeout(120)
@test(params={"prompt": "Say hello in one word."})
async def chat(prompt: str = None, messages: list = None, system: str = None, model: str = None,
               temperature: float = None, max_tokens: int = None, **params):
    """Answer a prompt, or continue a conversation, with a chat model.

    Args:
        prompt: The user's message (or give ``messages``)
        messages: A whole conversation: ``[{"role": "user", "content": "..."}]``
        system: Instructions put before the conversation
        model: The model name; the endpoint's usual default when left out
        temperature: Sampling temperature
        max_tokens: Longest answer, in tokens
    """
    conversation = [dict(m) for m in messages or []]
    if prompt:
        conversation.append({"role": "user", "content": str(prompt)})
    if not conversation:
        raise skill_error("Give a prompt or messages", code="BAD_REQUEST")
    if system:
        conversation.insert(0, {"role": "system", "content": str(system)})
    conn = params.get("connection")
    endpoint = (conn.get("name") if isinstance(conn, dict) else conn) or "ollama"
    if model in _REFERENCE_ALIASES:
        model = None  # llm.oneshot's default names a hosted model family, not one this endpoint serves
    body = {"model": model or DEFAULT_MODELS.get(endpoint, "default"), "messages": conversation, "stream": False}
    if temperature is not None:
        body["temperature"] = temperature
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    headers = {"Accept": "application/json"}
    key = (params.get("auth") or {}).get("key")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    resp = await client.post("/chat/completions", json=body, headers=headers, timeout=110)
    if not resp["ok"]:
        detail = _error_detail(resp)
        raise skill_error(f"{endpoint} answered HTTP {resp['status']}: {detail}", code=f"HTTP_{resp['status']}")
    data = resp["json"] or {}
    choices = data.get("choices") or []
    if not choices:
        raise skill_error(f"{endpoint} returned no choices", code="EMPTY_RESPONSE")
    first = choices[0]
    return {
        "content": (first.get("message") or {}).get("content") or first.get("text") or "",
        "model": data.get("model") or body["model"],
        "finish_reason": first.get("finish_reason"),
        "usage": data.get("usage") or {},
    }


def _error_detail(resp) -> str:
    data = resp["json"]
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
        if isinstance(error, str):
            return error[:300]
    return (resp["body"] or "").strip()[:300] or "no detail"
