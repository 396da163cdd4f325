"""Confinement the worker applies to itself before it reads any untrusted input.

bubblewrap isolates namespaces and the filesystem but sets no resource
limits, so ``worker_main.py`` calls ``apply`` first thing, before it imports
asyncio or reads a byte from the engine:

* ``setrlimit`` with soft = hard for CPU seconds, address space, processes,
  file size and open files. A process without ``CAP_SYS_RESOURCE`` (the
  sandbox drops every capability) can lower a hard limit but never raise it,
  so skill code cannot undo them;
* a seccomp filter that refuses to create processes (``fork``, ``vfork``,
  ``clone`` without ``CLONE_THREAD``, ``clone3``) or run programs
  (``execve``, ``execveat``) while allowing threads. Under bubblewrap this
  filter is stacked on the engine's own (``engine/sandbox/seccomp_filter.ts``),
  which bubblewrap installs before the interpreter's first instruction and
  which cannot refuse ``execve`` itself: bubblewrap executes the interpreter
  under it.
  ``RLIMIT_NPROC`` alone is not enough: the kernel does not enforce it for a
  process whose real uid is root outside the sandbox's user namespace, which
  is what a root-run engine gives its workers. Skills have no programs to run
  anyway (the sandbox holds only the interpreter); ``shell.run`` is brokered.

Under a root engine's bubblewrap (no user namespace) the interpreter starts as
root holding only ``CAP_SETUID`` and ``CAP_SETGID``, and ``apply`` first becomes
nobody (``--become``: no groups, every capability set empty, killed with its
parent), before the limits, the filter and any input.

Standard library only; ``_ctypes`` (the core of ``ctypes``) is imported only for
the seccomp filter and ``--become``, and then sets the rlimits too.
"""

import posix  # os without its ~1 ms of imports: this runs first in every worker
import sys

LIMITS = {
    "cpu": "RLIMIT_CPU",
    "as": "RLIMIT_AS",
    "nproc": "RLIMIT_NPROC",
    "fsize": "RLIMIT_FSIZE",
    "nofile": "RLIMIT_NOFILE",
}
"""Spec keys (``cpu=30,as=1073741824``) and the rlimit each sets."""


class LimitError(ValueError):
    """A limit spec cannot be parsed or applied."""


def parse(spec: str) -> dict:
    """``"cpu=30,as=1073741824"`` → ``{"cpu": 30, "as": 1073741824}``."""
    limits = {}
    for item in filter(None, spec.split(",")):
        key, sep, value = item.partition("=")
        if not sep or key not in LIMITS or not value.isdigit():
            raise LimitError(f"Bad limit {item!r}: expected one of {', '.join(LIMITS)} = a non-negative integer")
        limits[key] = int(value)
    return limits


_RLIMIT_NUMBERS = {"RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_AS": 9}
"""Linux's numbers of the limits in ``LIMITS`` (asm-generic: x86-64 and arm64 alike)."""

_RLIM_INFINITY = 2**64 - 1


def apply_rlimits(limits: dict, lower_only: bool = False) -> None:
    """Set each limit as soft = hard. With ``lower_only``, never raise one.

    Through the C library's ``setrlimit`` when ``_ctypes`` is loaded already
    (for ``--become`` or the filter): the ``resource`` module would cost
    every worker another extension module's load (~0.35 ms).
    """
    if _LIBC is not None and posix.uname().machine in _ARCHES:
        _LIBC.rlimits(limits, lower_only)
        return
    import resource

    for key, value in limits.items():
        which = getattr(resource, LIMITS[key])
        if lower_only:
            soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY and value >= hard:
                continue
        try:
            resource.setrlimit(which, (value, value))
        except (OSError, ValueError) as error:
            raise LimitError(f"Cannot set {LIMITS[key]} to {value}: {error}") from None


def warm() -> None:
    """Read one limit the way ``apply_rlimits`` lowers it: the first call through ``_ctypes`` is the slow one."""
    if _LIBC is not None and posix.uname().machine in _ARCHES:
        current = _LIBC.words(bytes(16))
        which = _RLIMIT_NUMBERS["RLIMIT_CPU"]
        _LIBC.call(_LIBC.getrlimit, "getrlimit(RLIMIT_CPU)", which, _LIBC.ctypes.addressof(current))


# -- seccomp ---------------------------------------------------------------

_LD_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RET = 0x06  # BPF_RET | BPF_K
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_EAGAIN = 11
_ENOSYS = 38
_CLONE_THREAD = 0x00010000
_CLONE3 = 435
_EPERM = 1
_ARCHES = {
    # machine: (AUDIT_ARCH_*, clone, {other process-creating syscall: errno}, has x32 ABI)
    # fork and vfork answer EAGAIN (as at RLIMIT_NPROC); execve and execveat EPERM.
    "x86_64": (0xC000003E, 56, {57: _EAGAIN, 58: _EAGAIN, 59: _EPERM, 322: _EPERM}, True),
    "aarch64": (0xC00000B7, 220, {221: _EPERM, 281: _EPERM}, False),
    "arm64": (0xC00000B7, 220, {221: _EPERM, 281: _EPERM}, False),
}


def no_fork_program(machine: str):
    """The BPF program as ``[(code, jt, jf, k), ...]``, or None for an unknown machine.

    Syscalls of a foreign ABI (32-bit ``int 0x80``, x32) fail with ENOSYS:
    otherwise they would be a way around the checks.
    """
    arch = _ARCHES.get(machine)
    if arch is None:
        return None
    audit_arch, clone, others, x32 = arch
    program = []  # (code, true target, false target, k); targets are labels or None = next

    def emit(code, k, jt=None, jf=None):
        program.append((code, jt, jf, k))

    emit(_LD_ABS, 4)  # seccomp_data.arch
    emit(_JEQ, audit_arch, None, "enosys")
    emit(_LD_ABS, 0)  # seccomp_data.nr
    if x32:
        emit(_JGE, 0x40000000, "enosys", None)
    for nr in sorted(others):
        emit(_JEQ, nr, "eagain" if others[nr] == _EAGAIN else "eperm", None)
    emit(_JEQ, _CLONE3, "enosys", None)  # glibc falls back to clone for threads
    emit(_JEQ, clone, None, "allow")
    emit(_LD_ABS, 16)  # low word of args[0] (clone flags; little-endian)
    emit(_JSET, _CLONE_THREAD, "allow", "eagain")
    labels = {"allow": len(program), "eagain": len(program) + 1, "enosys": len(program) + 2,
              "eperm": len(program) + 3}
    out = []
    for index, (code, jt, jf, k) in enumerate(program):
        rel = lambda target: 0 if target is None else labels[target] - index - 1  # noqa: E731
        out.append((code, rel(jt), rel(jf), k))
    out += [(_RET, 0, 0, _ALLOW), (_RET, 0, 0, _ERRNO | _EAGAIN), (_RET, 0, 0, _ERRNO | _ENOSYS),
            (_RET, 0, 0, _ERRNO | _EPERM)]
    return out


class _Libc:
    """``prctl`` and ``capset`` of the C library through ``_ctypes``, loaded once.

    ``_ctypes`` is what the ctypes package wraps: the package costs every worker
    ~2 ms of imports (os, struct, types, a hundred type definitions), and each
    ctypes type made here costs more than packing the bytes by hand.
    """

    def __init__(self):
        import _ctypes

        class c_ulong(_ctypes._SimpleCData):
            _type_ = "L"

        class Function(_ctypes.CFuncPtr):  # ctypes.CDLL(None, use_errno=True).<name>, returning int
            _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO

        class Libc:  # all a function pointer needs of a CDLL: the dlopen handle
            _handle = _ctypes.dlopen(None, _ctypes.RTLD_LOCAL)

        if _ctypes.sizeof(c_ulong) != 8:
            raise LimitError(f"No seccomp filter for a {8 * _ctypes.sizeof(c_ulong)}-bit process")
        self.ctypes = _ctypes
        self.ulong = c_ulong
        self.prctl = Function(("prctl", Libc))
        self.capset = Function(("capset", Libc))
        self.getrlimit = Function(("getrlimit", Libc))
        self.setrlimit = Function(("setrlimit", Libc))

    def words(self, data: bytes):
        """``data`` (a multiple of 8 bytes) copied into an array of c_ulong; keep it while its address is used."""
        return (self.ulong * (len(data) // 8)).from_buffer_copy(data)

    def call(self, function, what: str, *args) -> None:
        """Call with each argument as an unsigned long; raise LimitError unless it returns 0."""
        if function(*[self.ulong(arg) for arg in args]) != 0:
            raise LimitError(f"{what} failed: {posix.strerror(self.ctypes.get_errno())}")

    def rlimits(self, limits: dict, lower_only: bool) -> None:
        """``apply_rlimits`` through ``getrlimit`` and ``setrlimit``: struct rlimit is two unsigned longs."""
        order = sys.byteorder
        for key, value in limits.items():
            name = LIMITS[key]
            which = _RLIMIT_NUMBERS[name]
            if lower_only:
                current = self.words(bytes(16))
                self.call(self.getrlimit, f"getrlimit({name})", which, self.ctypes.addressof(current))
                if current[1] != _RLIM_INFINITY and value >= current[1]:
                    continue
            try:
                pair = self.words(value.to_bytes(8, order) * 2)
            except (OverflowError, TypeError) as error:
                raise LimitError(f"Cannot set {name} to {value}: {error}") from None
            self.call(self.setrlimit, f"Cannot set {name} to {value}: setrlimit", which, self.ctypes.addressof(pair))

    def set(self, what: str, option: int, *args) -> None:
        """``prctl(option, *args)``, the unused arguments 0 (some options refuse anything else)."""
        self.call(self.prctl, f"prctl({what})", option, *args, *(0,) * (4 - len(args)))


_LIBC = None


def _libc() -> _Libc:
    global _LIBC
    if _LIBC is None:
        _LIBC = _Libc()
    return _LIBC


_PR_SET_PDEATHSIG = 1
_SIGKILL = 9
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


def become(uid: int) -> None:
    """Become ``uid`` (and the group of the same number): no groups, no capability left, killed with the parent.

    A root engine's sandbox starts its interpreter as root holding only
    ``CAP_SETUID`` and ``CAP_SETGID`` (bubblewrap keeps no other), with no
    user namespace; this is the first thing ``worker_main.py`` does, before it
    reads a byte of input, and what ``setpriv --reuid --regid --clear-groups
    --inh-caps=-all --pdeathsig=SIGKILL`` did in a process of its own. A
    change of uid from root empties the permitted, effective and ambient
    sets; the inheritable set is emptied here, and the parent-death signal
    (cleared by the change of uid) is set again.

    Raises:
        LimitError: a step was refused, or the process is not who it must be after it.
    """
    if not isinstance(uid, int) or uid <= 0:  # -1 would leave the ids as they are
        raise LimitError(f"Cannot become {uid!r}: expected a uid above 0")
    libc = _libc()
    try:
        posix.setgroups([])
        posix.setresgid(uid, uid, uid)
        posix.setresuid(uid, uid, uid)
    except OSError as error:
        raise LimitError(f"Cannot become uid and gid {uid}: {error}") from None
    order = sys.byteorder
    # struct __user_cap_header_struct {u32 version; int pid}, then two
    # struct __user_cap_data_struct {u32 effective, permitted, inheritable}: all empty.
    header = libc.words(_LINUX_CAPABILITY_VERSION_3.to_bytes(4, order) + bytes(4))
    data = libc.words(bytes(24))
    libc.call(libc.capset, "capset", libc.ctypes.addressof(header), libc.ctypes.addressof(data))
    libc.set("PR_SET_PDEATHSIG", _PR_SET_PDEATHSIG, _SIGKILL)
    ids = (posix.getresuid(), posix.getresgid(), posix.getgroups())
    if ids != ((uid,) * 3, (uid,) * 3, []):
        raise LimitError(f"Still uid {ids[0]}, gid {ids[1]}, groups {ids[2]} after becoming {uid}")


def deny_new_processes() -> None:
    """Install the no-fork seccomp filter on this (still single-threaded) process.

    Raises:
        LimitError: unknown machine, or the kernel refused the filter.
    """
    machine = posix.uname().machine
    program = no_fork_program(machine)
    if program is None:
        raise LimitError(f"No seccomp filter for machine {machine!r}")
    libc = _libc()
    order = sys.byteorder
    # struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}: 8 bytes, one c_ulong each.
    filters = libc.words(b"".join(
        code.to_bytes(2, order) + bytes((jt, jf)) + k.to_bytes(4, order) for code, jt, jf, k in program
    ))
    # struct sock_fprog {unsigned short len; struct sock_filter *filter}: 16 bytes on LP64.
    fprog = libc.words(
        len(program).to_bytes(2, order) + bytes(6) + libc.ctypes.addressof(filters).to_bytes(8, order)
    )
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    libc.set("PR_SET_NO_NEW_PRIVS", pr_set_no_new_privs, 1)
    libc.set("PR_SET_SECCOMP", pr_set_seccomp, seccomp_mode_filter, libc.ctypes.addressof(fprog))


def apply(spec, no_fork: bool, uid=None) -> None:
    """Apply ``--become``, ``--limits`` and ``--no-fork``; on failure report to stderr and exit 70."""
    try:
        if uid is not None:
            become(uid)
        if spec:
            if no_fork:
                _libc()  # loaded for the filter anyway: the limits go through it too
            apply_rlimits(parse(spec))
        if no_fork:
            deny_new_processes()
    except LimitError as error:
        sys.stderr.write(f"agentos worker: cannot confine the process: {error}\n")
        sys.stderr.flush()
        posix._exit(70)


def report() -> int:
    """``--check``: print the limits in force and whether fork is refused, as one JSON line."""
    import json
    import os
    import resource

    rlimits = {key: list(resource.getrlimit(getattr(resource, name))) for key, name in LIMITS.items()}
    try:
        pid = os.fork()
    except OSError as error:
        fork = f"refused: {error.strerror}"
    else:
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        fork = "allowed"
    status = {}
    with open("/proc/self/status") as file:
        for line in file:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    def size(path):
        try:
            st = os.statvfs(path)
        except OSError:
            return None
        return st.f_blocks * st.f_frsize if os.access(path, os.W_OK) else 0
    info = {"rlimits": rlimits, "fork": fork, "uid": os.getuid(), "gid": os.getgid(), "pid": os.getpid(),
            "seccomp": int(status.get("Seccomp", "0")), "seccompFilters": int(status.get("Seccomp_filters", "0")),
            "noNewPrivs": status.get("NoNewPrivs") == "1", "capEff": status.get("CapEff"),
            "tmpBytes": size("/tmp"), "shmBytes": size("/dev/shm"), "devBytes": size("/dev"),
            "rootBytes": size("/"), "machine": os.uname().machine, "python": sys.version.split()[0]}
    sys.stdout.write(json.dumps(info) + "\n")
    return 0
