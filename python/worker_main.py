"""Entry point the engine runs for every skill process (usage: ``USAGE``).

``-I`` keeps the script's directory off ``sys.path`` and ``-S`` skips
site-packages, so this file puts its own directory (the one holding the
``agentos`` package) on the path itself. Worker mode imports only asyncio,
json and the SDK before saying ``ready``; everything else loads on first use.
"""

import sys

USAGE = """\
usage: python3 -I -S worker_main.py [--discover | --help]

  (no argument)  serve one tool call: wire protocol on stdin/stdout
  --discover     describe a skill from its source: JSON in on stdin, one JSON line out
  --help         show this text
"""


def main(argv) -> int:
    sys.path.insert(0, __file__.rpartition("/")[0] or ".")
    if not argv:
        from agentos import _worker

        _worker.main()  # serves one call, then ends the process
    if argv == ["--discover"]:
        from agentos import discover

        return discover.main()
    if argv in (["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return 0
    sys.stderr.write(f"worker_main.py: unknown arguments {' '.join(argv)!r}\n{USAGE}")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
