"""Tasks from a keyed API: one request, the records mapped to the task shape."""

from agentos import client, connection, returns

connection(
    "api",
    base_url="https://api.benchtasks.test/v1",
    auth={"type": "api_key", "header": {"Authorization": '"Bearer " + .auth.key'}},
    label="Bench tasks API",
)


def _task(t: dict) -> dict:
    return {
        "name": t["title"],
        "url": t["link"],
        "status": t["state"],
        "priority": t["prio"],
        "labels": t["tags"],
        "text": t["body"],
    }


@returns("task[]")
async def list_tasks(**params) -> list[dict]:
    """List the account's tasks"""
    resp = await client.get("/tasks")
    return [_task(t) for t in resp["json"] or []]
