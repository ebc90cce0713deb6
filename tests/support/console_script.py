"""``python -m tests.support.console_script NAME ARGS``: the installed console script ``NAME``
(``creditbank``), run as its wrapper in ``.venv/bin`` runs it: its entry point (from the
package's metadata) called with ``sys.argv`` set to ``NAME ARGS``, its answer the exit status.

For a script run in a process forked from a zygote (tests/smoke/zygote.py), which runs modules
as ``python -m`` does, instead of starting an interpreter that imports the project again.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points


def main() -> None:
    name, *arguments = sys.argv[1:]
    (script,) = entry_points(group="console_scripts", name=name)
    sys.argv = [name, *arguments]
    sys.exit(script.load()())


if __name__ == "__main__":
    main()
