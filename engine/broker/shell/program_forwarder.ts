/**
 * The one process a `--net` program finds between itself and its only
 * way out: inside the program's sandbox, before the program, a small
 * Python forwarder listens on the private namespace's loopback
 * ({@linkcode FORWARDER_PORT}, where the program's `http_proxy` and
 * `https_proxy` point) and relays each connection, byte for byte, to the
 * engine's proxy socket bound into the sandbox. It decides nothing: every
 * check is the engine's (see `program_proxy.ts`); a program that kills
 * it, or talks to the socket itself, meets the same checks or none at all.
 * It runs the program as its child and exits with its exit code (128 + n
 * for a signal, as a shell says it).
 *
 * @module
 */

/** Where the call's proxy socket is bound inside the sandbox. */
export const NET_SOCKET_MOUNT = "/run/agentos/net.sock";

/** The forwarder's port on the private loopback (nothing else listens there). */
export const FORWARDER_PORT = 3128;

// Python because the engine's interpreter is there already; threads, not
// processes, so the program's process budget is left to the program.
const FORWARDER_SOURCE = `
import os, socket, subprocess, sys, threading
path = sys.argv[1]
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[2])))
server.listen(64)
def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass
def relay(conn):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(path)
    except OSError:
        conn.close()
        upstream.close()
        return
    back = threading.Thread(target=pump, args=(upstream, conn), daemon=True)
    back.start()
    pump(conn, upstream)
    back.join()
    conn.close()
    upstream.close()
def serve():
    while True:
        conn, _ = server.accept()
        threading.Thread(target=relay, args=(conn,), daemon=True).start()
threading.Thread(target=serve, daemon=True).start()
try:
    child = subprocess.Popen(sys.argv[4:])
except OSError as error:
    print("agentos: cannot run %s: %s" % (sys.argv[4], error.strerror), file=sys.stderr)
    os._exit(127)
code = child.wait()
os._exit(code if code >= 0 else 128 - code)
`;

/**
 * The command that runs a program behind the forwarder.
 *
 * @param python the interpreter inside the sandbox
 * @returns the argv to put before the program and its arguments
 */
export function forwarderCommand(python: string): string[] {
  return [
    python,
    "-I",
    "-S",
    "-c",
    FORWARDER_SOURCE,
    NET_SOCKET_MOUNT,
    String(FORWARDER_PORT),
    "--",
  ];
}

/**
 * The environment that sends a program's HTTP and HTTPS through the
 * forwarder (lower case too: curl and git read only `http_proxy` so).
 *
 * @returns the variables to set
 */
export function proxyEnv(): Record<string, string> {
  const url = `http://127.0.0.1:${FORWARDER_PORT}`;
  return {
    http_proxy: url,
    https_proxy: url,
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    ALL_PROXY: url,
    all_proxy: url,
  };
}
