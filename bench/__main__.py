"""Run the benchmarks: ``python -m bench [--size N] [--only NAME]``.

Each line printed is a JSON object; a line with a target says which figure it bounds (``of``), the bound (``target``)
and whether it was ``met``. A missed target is only reported (machines are noisy); a module that crashes makes the
exit status non-zero once the others have run."""

import argparse
import importlib
import json
import sys
import traceback

from .harness import setup_django

# Each a module of this package with run(size).
BENCHMARKS = ["accounts", "register", "compliance", "reports", "imports", "nightly"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000, help="how many records (members, activities) to seed")
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark module")
    arguments = parser.parse_args()
    setup_django()
    crashed = []
    for name in [arguments.only] if arguments.only else BENCHMARKS:
        try:
            importlib.import_module(f"bench.{name}").run(arguments.size)
        except Exception:  # the next modules still run; the exit status says one crashed
            traceback.print_exc()
            print(json.dumps({"benchmark": name, "crashed": True}), flush=True)
            crashed.append(name)
    if crashed:
        sys.exit(f"benchmark modules that crashed: {', '.join(crashed)}")


if __name__ == "__main__":
    main()
