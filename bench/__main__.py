"""Run the benchmarks: ``python -m bench [--size N] [--only NAME]``.

Each line printed is a JSON object; a line with a target says which figure it bounds (``of``), the bound (``target``)
and whether it was ``met``. A missed target is only reported (machines are noisy); a module that crashes makes the
exit status non-zero once the others have run. Without ``--only`` each module runs in a process of its own."""

import argparse
import importlib
import json
import subprocess
import sys
import traceback

from .harness import setup_django

# Each a module of this package with run(size).
BENCHMARKS = ["accounts", "register", "compliance", "reports", "imports", "nightly", "discovery"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000, help="how many records (members, activities) to seed")
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark module")
    arguments = parser.parse_args()
    if arguments.only is None:
        _each_in_its_own_process(arguments.size)
        return
    setup_django()
    try:
        importlib.import_module(f"bench.{arguments.only}").run(arguments.size)
    except Exception:
        traceback.print_exc()
        print(json.dumps({"benchmark": arguments.only, "crashed": True}), flush=True)
        sys.exit(f"benchmark module that crashed: {arguments.only}")


def _each_in_its_own_process(size: int) -> None:
    """Every module, each in a fresh Python process, as its code runs in production: a page in a web process, an
    export or an import in a worker's, neither holding what another module seeded and measured (a process grown by
    the others would time their heap, not the module's code). A module that crashes does not stop the next ones."""
    crashed = []
    for name in BENCHMARKS:
        if subprocess.run([sys.executable, "-m", "bench", "--size", str(size), "--only", name], check=False).returncode:
            crashed.append(name)
    if crashed:
        sys.exit(f"benchmark modules that crashed: {', '.join(crashed)}")


if __name__ == "__main__":
    main()
