"""``python -m bench [--only 1,3] [--quick] [--no-write]``: run the benchmarks, print figures,
targets and ratios, and rewrite bench/RESULTS.md (unless --no-write or --quick)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench import report, scenarios


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8,9", help="benchmarks to run, e.g. 1,3")
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes, for a smoke test; RESULTS.md kept"
    )
    parser.add_argument("--runs", type=int, default=1, help="benchmark 2: best of N runs")
    parser.add_argument("--no-write", action="store_true", help="leave bench/RESULTS.md alone")
    args = parser.parse_args()
    chosen = [int(n) for n in args.only.split(",")]
    quick: dict[int, dict[str, Any]] = {
        1: {"accounts": 64},
        2: {"accounts": 100},
        3: {"accounts": 5},
        4: {"sizes": (50, 100, 200)},
        5: {"accounts": 64},
        6: {"accounts": 100, "rounds": 1},
        7: {"accounts": 64},
        8: {"accounts": 300},
        9: {"accounts": 300, "audits": 5},
    }
    print(report.NOTE, flush=True)
    print(f"Machine: {report.machine()}\n", flush=True)
    results = []
    for number in chosen:
        started = time.perf_counter()
        kwargs: dict[str, Any] = quick[number] if args.quick else {}
        if number == 2:
            kwargs = {**kwargs, "runs": args.runs}
        result = scenarios.ALL[number](**kwargs)
        results.append(result)
        print(f"{result.number}. {result.title}")
        for line in result.lines:
            print(f"   {line}")
        verdict = "MET" if result.met else "MISSED"
        print(f"   target: {result.target}: {verdict}  [{time.perf_counter() - started:.0f} s]\n")
    if not (args.quick or args.no_write):
        complete = sorted(chosen) == sorted(scenarios.ALL)
        print(f"wrote {report.write(results, complete=complete)}")
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
