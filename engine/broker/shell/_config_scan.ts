/**
 * The program that reads a program's granted config directories (bound
 * read-only at their own paths, in its own sandboxed Python process) at
 * the start of a `shell.run` and prints, as a JSON list, every value that
 * looks like a secret, so the call holds each as a credential and masks
 * it in the program's output. Read from stdin: `{dirs}`.
 *
 * The rule (docs/security.md, "Config directories"), each value at least
 * 8 characters:
 * - a `key: value` / `key = value` / `"key": "value"` line whose key names
 *   a secret (token, secret, passw, pwd, api key, private, auth,
 *   credential, cookie, session, bearer);
 * - in a credential file (its name holds hosts.yml, credential, token,
 *   auth, netrc, secret, or ends .pem/.key): every such line's value, and
 *   the whole line of a one-line file (a bare token);
 * - anywhere: a netrc `password X`, a URL's `://user:X@`, and every
 *   token-shaped word (20+ of `A-Z a-z 0-9 _ - + =` with a letter and a
 *   digit, or 40+ of base64).
 *
 * Links are not followed (the program could not follow them out of its
 * view either); at most 512 files of at most 256 KiB each and 256 values.
 */
export const CONFIG_SCAN_PY = String.raw`
import json, os, re, stat, sys

req = json.loads(sys.stdin.read())
MAX_FILES, MAX_BYTES, MAX_VALUES, MIN_CHARS, MAX_DEPTH = 512, 256 * 1024, 256, 8, 8
KEY = re.compile(r"token|secret|passw|pwd|api[_-]?key|private|auth|credential|cookie|session|bearer", re.I)
CREDENTIAL_FILE = re.compile(r"hosts\.ya?ml|credential|token|auth|netrc|secret|\.pem$|\.key$", re.I)
PAIR = re.compile(r"""^\s*["']?([A-Za-z0-9_.\-]+)["']?\s*[:=]\s*(.+?)\s*,?\s*$""")
NETRC = re.compile(r"\bpassword\s+(\S+)")
URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^@\s/]+)@")
WORD = re.compile(r"[A-Za-z0-9_\-+=]{20,}")
BASE64 = re.compile(r"(?<![A-Za-z0-9/])[A-Za-z0-9+/]{40,}={0,2}")
found = []


def keep(value):
    value = value.strip().strip("'\"").strip()
    if len(value) >= MIN_CHARS and value not in found and len(found) < MAX_VALUES:
        found.append(value)


def scan(name, text):
    credential = CREDENTIAL_FILE.search(name) is not None
    lines = [line for line in text.splitlines() if line.strip()]
    if credential and len(lines) == 1:
        keep(lines[0])
    for line in lines:
        pair = PAIR.match(line)
        if pair and (credential or KEY.search(pair.group(1))):
            keep(pair.group(2))
        for match in NETRC.finditer(line):
            keep(match.group(1))
        for match in URL_PASSWORD.finditer(line):
            keep(match.group(1))
        for word in WORD.findall(line):
            if re.search(r"[0-9]", word) and re.search(r"[A-Za-z]", word):
                keep(word)
        for word in BASE64.findall(line):
            keep(word)


def files(root):
    """Regular files under root, links not followed, depth and count capped."""
    count = 0
    for folder, dirs, names in os.walk(root, followlinks=False):
        if folder[len(root):].count("/") >= MAX_DEPTH:
            dirs[:] = []
        for name in names:
            path = os.path.join(folder, name)
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    continue
            except OSError:
                continue
            count += 1
            if count > MAX_FILES:
                return
            yield path, name


for root in req["dirs"]:
    for path, name in files(root):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as file:
                data = file.read(MAX_BYTES)
        except OSError:
            continue
        scan(name, data.decode("utf-8", "replace"))
json.dump(found, sys.stdout)
`;
