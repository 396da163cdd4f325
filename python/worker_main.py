"""Entry point the engine runs for every skill process (usage: ``agentos._entry.USAGE``).

``-I`` keeps the script's directory off ``sys.path`` and ``-S`` skips
site-packages, so this file puts its own directory (the one holding the
``agentos`` package) on the path itself. The rest is ``agentos._entry``: a
script is compiled from source on every run, a module comes from its
``.pyc``, and each worker start saves the difference.
"""

import sys

if __name__ == "__main__":
    sys.path.insert(0, __file__.rpartition("/")[0] or ".")
    from agentos._entry import main

    sys.exit(main(sys.argv[1:]))
