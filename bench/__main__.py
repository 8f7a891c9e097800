"""Run the benchmarks: `python -m bench` runs all, `python -m bench NAME [args]` runs one."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def available() -> list[str]:
    """Every bench module with a main()."""
    here = Path(__file__).parent
    names = [m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")]
    return sorted(n for n in names if hasattr(importlib.import_module(f"bench.{n}"), "main"))


def main() -> int:
    """Run the named benchmark with the remaining arguments, or all of them with defaults."""
    args = sys.argv[1:]
    names = available()
    if args and args[0] in ("-h", "--help"):
        print("usage: python -m bench [NAME [ARGS...]]\nbenchmarks:", ", ".join(names))
        return 0
    if args:
        if args[0] not in names:
            print(f"unknown benchmark {args[0]!r}; choose from {', '.join(names)}")
            return 2
        names, rest = [args[0]], args[1:]
    else:
        rest = []
    status = 0
    for name in names:
        print(f"\n=== bench/{name} ===", flush=True)
        started = time.perf_counter()
        status |= int(importlib.import_module(f"bench.{name}").main(rest) or 0)
        print(f"=== bench/{name}: {time.perf_counter() - started:.1f} s ===", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
