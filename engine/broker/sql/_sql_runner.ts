/**
 * The program that runs one `sql.query` in its own sandboxed Python
 * process (standard library `sqlite3`), with the databases bound
 * read-only. Read from stdin: `{path, sql, params,
 * max_rows, max_bytes, timeout_s, deny_tables, attach, snapshot}`
 * (`attach`: `[alias, path]` pairs, attached read-only before the
 * authorizer is set; `snapshot`: an application's database that is locked
 * is read from a private copy); written to stdout:
 * `{columns, rows, truncated, tables}` or `{error, kind}`.
 *
 * The connection is opened read-only (`mode=ro`, SQLITE_OPEN_READONLY)
 * and then `PRAGMA query_only = ON`, so SQLite itself refuses every write,
 * temporary tables included. The authorizer then refuses what read-only
 * does not cover: reading the vault and settings tables of the graph,
 * ATTACH (another file), PRAGMA (turning query_only off) and extension
 * loading. A progress handler stops the query at its deadline; the engine
 * also kills the process past it (node:sqlite cannot interrupt a running
 * statement, so an in-process query could block the engine).
 *
 * Every file is opened first (the main database, its WAL index, the
 * attached ones, a private copy when locked), then every capability is
 * dropped and checked gone, and only then does the query text run: a root
 * engine's runner holds `CAP_DAC_READ_SEARCH` only to open databases that
 * are not readable by nobody.
 */
export const SQL_RUNNER_PY = String.raw`
import base64, json, sqlite3, sys, time, urllib.parse

req = json.loads(sys.stdin.read())
OK, DENY = sqlite3.SQLITE_OK, sqlite3.SQLITE_DENY
READ, SELECT, FUNCTION, RECURSIVE = 20, 21, 31, 33
INSERT, UPDATE, DELETE = 18, 23, 9
DENY_TABLES = {t.lower() for t in req["deny_tables"]}
TABLES = set()
DENY_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}


def authorize(action, arg1, arg2, db_name, source):
    if action == READ:
        if (arg1 or "").lower() in DENY_TABLES:
            return DENY
        if arg1 and not arg1.startswith("sqlite_"):
            TABLES.add(arg1)
        return OK
    if action == FUNCTION:
        return DENY if (arg2 or "").lower() in DENY_FUNCTIONS else OK
    if action in (SELECT, RECURSIVE):
        return OK
    if action in (INSERT, UPDATE, DELETE) or 1 <= action <= 17 or 26 <= action <= 30:
        # Writes reach the read-only connection, which refuses them itself.
        return OK
    return DENY


def out(value):
    sys.stdout.write(json.dumps(value))
    sys.stdout.flush()


def cell(value):
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        return None
    return value


def confine(con):
    """Attach the granted databases read-only, then refuse writes, ATTACH and PRAGMA."""
    for alias, other in req.get("attach") or []:
        con.execute("ATTACH DATABASE ? AS " + alias, ("file:" + urllib.parse.quote(other) + "?mode=ro",))
    con.execute("PRAGMA query_only = ON")
    con.set_authorizer(authorize)
    return con


def connect(path):
    uri = "file:" + urllib.parse.quote(path) + "?mode=ro"
    return confine(sqlite3.connect(uri, uri=True, timeout=2, isolation_level=None))


def snapshot(path):
    """A copy of a database an application holds locked (and its WAL), in a private directory."""
    import os, shutil, tempfile
    folder = tempfile.mkdtemp(prefix="agentos-sql-")
    copy = os.path.join(folder, os.path.basename(path))
    shutil.copyfile(path, copy)
    # A hot rollback journal is copied too: SQLite rolls the copy back to
    # the last commit. A WAL carries the commits not yet checkpointed.
    for suffix in ("-wal", "-journal"):
        if os.path.exists(path + suffix):
            shutil.copyfile(path + suffix, copy + suffix)
    # The copy is ours: opened read-write so SQLite can replay its WAL, then query_only.
    return confine(sqlite3.connect(copy, timeout=2, isolation_level=None))


def opened(con, aliases):
    """Read each schema once: SQLite opens the files (WAL and its index too) now."""
    for schema in ["main", *aliases]:
        con.execute("SELECT count(*) FROM " + schema + ".sqlite_master").fetchall()
    return con


def drop_capabilities():
    """capset(all empty), then refuse to go on unless the kernel agrees."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    if libc.capset(header, data) != 0:
        raise SystemExit("agentos sql: cannot drop capabilities: errno %d" % ctypes.get_errno())
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("CapInh", "CapPrm", "CapEff", "CapAmb") and int(value, 16) != 0:
                raise SystemExit("agentos sql: " + key + " still holds capabilities")


def run(con):
    deadline = time.monotonic() + req["timeout_s"]
    con.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 1000)
    params = req["params"]
    cursor = con.execute(req["sql"], params if params is not None else ())
    columns = [d[0] for d in cursor.description or []]
    rows, size, truncated = [], 2, False
    while True:
        batch = cursor.fetchmany(100)
        if not batch:
            break
        for row in batch:
            item = {columns[i]: cell(v) for i, v in enumerate(row)}
            size += len(json.dumps(item)) + 1
            if len(rows) >= req["max_rows"] or size > req["max_bytes"]:
                truncated = True
                break
            rows.append(item)
        if truncated:
            break
    return {"columns": columns, "rows": rows, "truncated": truncated, "tables": sorted(TABLES)}


try:
    aliases = [alias for alias, _ in req.get("attach") or []]
    try:
        con = opened(connect(req["path"]), aliases)
    except sqlite3.OperationalError as error:
        # An application's own database, locked or in WAL mode with no
        # -shm for us: read a consistent copy instead.
        if not req.get("snapshot") or not any(
            word in str(error) for word in ("locked", "unable to open", "readonly", "read-only")
        ):
            raise
        con = opened(snapshot(req["path"]), aliases)
    drop_capabilities()
    out(run(con))
except sqlite3.OperationalError as error:
    kind = "timeout" if "interrupted" in str(error) else "sqlite"
    out({"error": str(error), "kind": kind})
except (sqlite3.Error, ValueError, TypeError, OverflowError) as error:
    out({"error": str(error), "kind": "sqlite"})
`;
