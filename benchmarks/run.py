"""Every benchmark, one after the other: ``make bench``."""

import importlib
import sys
from pathlib import Path

BENCHMARKS = ["benchmarks.api", "benchmarks.http", "benchmarks.notify"]


def main() -> int:
    status = 0
    for name in BENCHMARKS:
        if not (Path(__file__).parent / f"{name.rsplit('.', 1)[-1]}.py").exists():
            continue
        print(f"== {name}", flush=True)
        status |= importlib.import_module(name).main() or 0
    return status


if __name__ == "__main__":
    sys.exit(main())
