from agentos import provides, returns


@returns({"ok": "boolean"})
@provides("bench_noop", description="Do nothing and say so")
async def noop(**params):
    """Do nothing and say so."""
    return {"ok": True}
