"""Public-side benchmark: the same requests at 10k and at 1M cases in one run, with ratios
(target <= 1.5). Throughput beside a hello-world app is measured with wrk by bench/pages.py
(this script's own Python load generator capped hello-world at a quarter of what wrk reaches,
which overstated the pages' shares).

    .venv/bin/python bench/public.py [--small 10000] [--large 1000000] [--runs 15] [--reuse]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate, make_app  # noqa: E402

FILTERED = "/transparansi?wilayah=16.74&kategori=asn-medsos-posting&dari=2025-06&sampai=2026-05"
OPEN311 = "/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&page_size=50"
OPEN311_NARROW = "/open311/v2/requests.json?status=closed&service_code=politik-uang"
MiB = 1024 * 1024


def clear_caches(app) -> None:
    from portal.extensions import cache

    app.extensions.get("public_stats_cache", {}).clear()
    app.extensions.get("public_page_cache", {}).clear()
    with app.app_context():
        cache.clear()  # the shared page cache (portal/pagecache.py)


def timed(fn, runs: int) -> float:
    """Median milliseconds of fn() over runs (after one warm-up)."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(db_path: str, runs: int) -> dict[str, float]:
    """Median times of each public request on one database."""
    from portal.db import unit_of_work
    from portal.public.stats import refresh_stats

    app = make_app(f"sqlite:///{db_path}")
    with app.app_context():
        start = time.perf_counter()
        with unit_of_work():
            refresh_stats()
        refresh_s = time.perf_counter() - start
    client = app.test_client()

    def get(url: str, cold: bool = False):
        def run() -> None:
            if cold:
                clear_caches(app)
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    def csv_first_mb() -> None:
        response = client.get("/data/kasus.csv", buffered=False)
        seen = 0
        for chunk in response.response:
            seen += len(chunk.encode() if isinstance(chunk, str) else chunk)
            if seen >= MiB:
                break
        response.close()

    results = {
        "transparency (cached)": timed(get("/transparansi"), runs),
        "transparency (cold)": timed(get("/transparansi", cold=True), runs),
        "filtered (cached)": timed(get(FILTERED), runs),
        "filtered (cold)": timed(get(FILTERED, cold=True), runs),
        "CSV first MB": timed(csv_first_mb, max(3, runs // 3)),
        "Open311 requests.json, 50 rows": timed(get(OPEN311), runs),
        "Open311 closed+service, 90 days": timed(get(OPEN311_NARROW), runs),
    }
    results["refresh-stats (s, once)"] = refresh_s
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--reuse", action="store_true", help="keep databases made earlier")
    args = parser.parse_args()
    results = {}
    for n in (args.small, args.large):
        path = f"{args.dir}/bench_public_{n}.sqlite3"
        if not (args.reuse and os.path.exists(path)):
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
            print(f"generating {n} cases ... {generate(f'sqlite:///{path}', n):.1f} s", flush=True)
        results[n] = measure(path, args.runs)
    print(f"\n{'median ms':32}{args.small:>12}{args.large:>12}{'ratio':>8}")
    for name in results[args.small]:
        small, large = results[args.small][name], results[args.large][name]
        print(f"{name:32}{small:12.2f}{large:12.2f}{large / small:8.2f}")


if __name__ == "__main__":
    main()
