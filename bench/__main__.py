"""Run the benchmarks: ``python -m bench [--size N] [--only NAME]``."""

import argparse
import importlib

from .harness import setup_django

# Each a module of this package with run(size).
BENCHMARKS = ["accounts", "register", "compliance", "reports", "imports"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000, help="how many records (members, activities) to seed")
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark module")
    arguments = parser.parse_args()
    setup_django()
    for name in [arguments.only] if arguments.only else BENCHMARKS:
        importlib.import_module(f"bench.{name}").run(arguments.size)


if __name__ == "__main__":
    main()
