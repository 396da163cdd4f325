import time  # blocking sleep is fine: each call has its own process

from agentos import provides, returns, timeout


@returns({"ok": "boolean"})
@provides("bench_sleep", description="Sleep for ms milliseconds, then succeed")
async def sleep(ms=0, **params):
    """Sleep for ``ms`` milliseconds, then succeed."""
    time.sleep(ms / 1000)
    return {"ok": True}


@returns({"ok": "boolean"})
@provides("bench_fail", description="Always raise")
async def fail(**params):
    """Always raise."""
    raise RuntimeError("bench_fail fails on purpose")


@returns({"ok": "boolean"})
@timeout(0.3)
@provides("bench_hang", description="Sleep past its 0.3 s time limit")
async def hang(**params):
    """Sleep past its 0.3 s time limit."""
    time.sleep(60)
    return {"ok": True}
