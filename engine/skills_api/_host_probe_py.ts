/**
 * The program a host probe runs in its own sandboxed Python process
 * (`host_probe.ts`): it gathers facts of the host's files, as the
 * sandbox's read-only view shows them, and judges nothing. Read from
 * stdin: `{mode: "program", program, dirs, interpreters, max_bytes}` or
 * `{mode: "read", path, home, engine_ids}`; written to stdout, one JSON
 * object.
 *
 * `program`: for each `dir/program` in order, what `stat` (links followed)
 * says — `null` for no such file, `"unknown"` when the name exists but
 * its link leads out of the view — and, for the first executable file,
 * its real path and its bytes; for each interpreter path, its `stat`, and
 * its bytes when it has the program's size. The engine then runs the
 * CLI's own resolution and checks on these facts
 * (`resolveProgramFile`).
 *
 * `read`: the path's real path (links followed), `device:inode`, whether
 * it is a file or a folder, whether that is one of the engine's own
 * files, and the engine home's real path when the view shows it.
 *
 * It runs no code of a skill and parses no file: it only stats, resolves
 * links and reads bytes, so it may keep the read capability of a root
 * engine (`readAny`).
 */
export const HOST_PROBE_PY = String.raw`
import base64, json, os, stat, sys

req = json.loads(sys.stdin.read())


def facts(path):
    try:
        st = os.stat(path)
    except OSError:
        return "unknown" if os.path.lexists(path) else None
    return {"file": stat.S_ISREG(st.st_mode), "mode": st.st_mode & 0o7777, "size": st.st_size}


def read(path, limit):
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else base64.b64encode(data).decode("ascii")


def program():
    stats, real, reads = {}, {}, {}
    size = None
    for folder in req["dirs"]:
        path = folder + "/" + req["program"]
        stats[path] = facts(path)
        found = stats[path]
        if not isinstance(found, dict) or not found["file"] or not found["mode"] & 0o111:
            if found == "unknown":
                break
            continue
        target = os.path.realpath(path)
        real[path] = target
        stats[target] = facts(target)
        if isinstance(stats[target], dict):
            reads[target] = read(target, req["max_bytes"])
            size = stats[target]["size"]
        break
    for other in req["interpreters"]:
        stats[other] = facts(other)
        found = stats[other]
        if isinstance(found, dict) and found["file"] and found["size"] == size:
            reads[other] = read(other, req["max_bytes"])
    return {"stats": stats, "real": real, "reads": reads}


def ident(st):
    return "%d:%d" % (st.st_dev, st.st_ino)


def local_path():
    target = os.path.realpath(req["path"])
    try:
        st = os.lstat(target)
    except OSError:
        return {"real": target, "missing": True}
    home = os.path.realpath(req["home"]) if os.path.exists(req["home"]) else None
    return {
        "real": target,
        "pin": ident(st),
        "kind": "file" if stat.S_ISREG(st.st_mode) else "dir" if stat.S_ISDIR(st.st_mode) else "other",
        "engine": ident(st) in set(req["engine_ids"]),
        "home_real": home,
    }


sys.stdout.write(json.dumps(program() if req["mode"] == "program" else local_path()))
`;
