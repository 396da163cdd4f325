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
import base64, json, os, re, sqlite3, stat, sys, time, urllib.parse

req = json.loads(sys.stdin.read())
ENGINE = set(req.get("engine_ids") or [])
VIEWS = req.get("views") or []
PRIVATE = []
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


class Refused(Exception):
    """A path that leaves its grant or reaches the engine's own files."""


def ident(st):
    return "%d:%d" % (st.st_dev, st.st_ino)


def check_views():
    """Each grant bound here is still the inode the owner granted, and none is the engine's."""
    for view in VIEWS:
        st = os.stat(view["path"])
        if ident(st) in ENGINE:
            raise Refused(view["path"] + " leads into the engine's own home")
        if view.get("pin") and ident(st) != view["pin"]:
            raise Refused(view["path"] + " is no longer what the owner granted (a link or another folder is in its place); the owner can grant it again")


def granted(path):
    """A granted path resolved here, where only the grants exist: no link leads anywhere else."""
    real = os.path.realpath(path)
    inside = any(real == v["path"] or real.startswith(v["path"].rstrip("/") + "/") for v in VIEWS)
    try:
        st = os.stat(real)
    except OSError:
        st = None
    if not inside or st is None or not stat.S_ISREG(st.st_mode):
        raise Refused(path + " is not a file inside the grant once its links are resolved")
    if ident(st) in ENGINE:
        raise Refused(path + " is one of the engine's own files")
    return real


def check_open_files(own, files):
    """Every file this process holds is one checked above (or its side file, or a private copy)."""
    for fd in os.listdir("/proc/self/fd"):
        try:
            st = os.stat("/proc/self/fd/" + fd)
            target = os.readlink("/proc/self/fd/" + fd)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        base = re.sub(r"-(wal|shm|journal)$", "", target)
        if base in own:
            continue
        if ident(st) in ENGINE:
            raise Refused("a file of the engine's own was opened")
        if base not in files and not any(target.startswith(d + "/") for d in PRIVATE):
            raise Refused("a file outside the grant was opened: " + target)


def confine(con):
    """Attach the granted databases read-only, then refuse writes, ATTACH and PRAGMA."""
    for alias, other in ATTACH:
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
    PRIVATE.append(folder)
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
    check_views()
    MAIN = granted(req["path"]) if req.get("host") else req["path"]
    ATTACH = [(alias, granted(path)) for alias, path in req.get("attach") or []]
    OWN = set() if req.get("host") else {MAIN}
    FILES = {MAIN, *(path for _, path in ATTACH)} - OWN
    aliases = [alias for alias, _ in ATTACH]
    try:
        con = opened(connect(MAIN), aliases)
    except sqlite3.OperationalError as error:
        # An application's own database, locked or in WAL mode with no
        # -shm for us: read a consistent copy instead.
        if not req.get("snapshot") or not any(
            word in str(error) for word in ("locked", "unable to open", "readonly", "read-only")
        ):
            raise
        con = opened(snapshot(MAIN), aliases)
    check_open_files(OWN, FILES)
    drop_capabilities()
    answer = run(con)
    check_open_files(OWN, FILES)
    out(answer)
except Refused as error:
    out({"error": str(error), "kind": "grant"})
except sqlite3.OperationalError as error:
    kind = "timeout" if "interrupted" in str(error) else "sqlite"
    out({"error": str(error), "kind": kind})
except (sqlite3.Error, ValueError, TypeError, OverflowError) as error:
    out({"error": str(error), "kind": "sqlite"})
`;
