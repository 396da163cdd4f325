"""The command line of ``worker_main.py``, the process the engine runs for every skill call.

Confinement options (``--limits``, ``--no-fork``) are applied before anything
else: before asyncio is imported and before a byte of untrusted input (a
skill's source, a call) is read. Worker mode imports only the SDK's wire and
loop before saying ``ready`` (asyncio loads later, and only for a skill whose
source uses it), from their ``.pyc`` through ``agentos._preload``; everything
else loads on first use.
"""

import sys

from agentos import _preload

WORKER_MODULES = (
    "_results", "_codec", "_wire", "_jar", "_connection", "_broker", "_mini_loop", "_skill_loader", "_worker",
    "_decorators",
)
"""The SDK modules worker mode loads before ``ready``, each after those it imports (see ``agentos._preload``)."""

# Above any limit a sandbox sets (--limits nofile=N); close_range(2) makes
# the span free where the kernel has it.
_FD_SPAN = 1 << 20

USAGE = """\
usage: python3 -I -S worker_main.py [--become UID] [--limits SPEC] [--no-fork] [MODE]

  (no mode)       serve one tool call: wire protocol on stdin/stdout
  --discover      describe a skill from its source: JSON in on stdin, one JSON line out
  --read-dir DIR  read a skill directory (readme.md and .py files, bounded) and
                  describe it: one JSON line out, with the files' text
  --check         print what the confinement options did, as one JSON line
  --help          show this text

  --become UID    started as root with only CAP_SETUID and CAP_SETGID: become
                  uid and gid UID with no groups and no capabilities, killed
                  with the parent, before anything else
  --limits SPEC   resource limits, soft = hard: cpu=SECONDS,as=BYTES,nproc=N,
                  fsize=BYTES,nofile=N (any subset)
  --no-fork       refuse to create processes (seccomp); threads still work
  --packages DIR  a skill's installed Python packages, put on the path after the SDK
"""


def _options(argv):
    """Split off the confinement and path options; returns (limits spec, no_fork, uid to become, rest)."""
    spec, no_fork, uid, rest = None, False, None, []
    args = iter(argv)
    for arg in args:
        if arg == "--become":
            value = next(args, "")
            uid = int(value) if value.isdigit() else -1
        elif arg == "--limits":
            spec = next(args, "")
        elif arg == "--no-fork":
            no_fork = True
        elif arg == "--packages":
            # After the SDK's own directory: a package named ``agentos`` cannot shadow the SDK.
            sys.path.insert(1, next(args, ""))
        else:
            rest.append(arg)
    return spec, no_fork, uid, rest


def _close_inherited():
    """Close every descriptor past stdin, stdout and stderr.

    The engine hands a worker only those three; anything else was open in
    whatever started the engine (a terminal's, a CI runner's pipe, a
    leaked socket) and passed through bubblewrap untouched. Skill code must
    not write to it, so it goes before anything reads input.
    """
    import posix

    posix.closerange(3, _FD_SPAN)


def main(argv) -> int:
    """Run the mode ``argv`` names; returns the exit status (worker mode never returns)."""
    _close_inherited()
    spec, no_fork, uid, argv = _options(argv)
    if spec is not None or no_fork or uid is not None:
        _preload.load(("_limits",))
        from agentos import _limits

        _limits.apply(spec, no_fork, uid)
    if not argv:
        _preload.load(WORKER_MODULES)
        from agentos import _worker

        _worker.main()  # serves one call, then ends the process
    if argv == ["--discover"]:
        from agentos import discover

        return discover.main()
    if len(argv) == 2 and argv[0] == "--read-dir":
        from agentos import discover

        return discover.main_read_dir(argv[1])
    if argv == ["--check"]:
        from agentos import _limits

        return _limits.report()
    if argv in (["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return 0
    sys.stderr.write(f"worker_main.py: unknown arguments {' '.join(argv)!r}\n{USAGE}")
    return 2
