"""Timing for bench/scale.py: CPU of this process and of the PostgreSQL server behind it, and
the scratch databases (created when missing, reused when they hold the cases asked for)."""

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

TICKS = os.sysconf("SC_CLK_TCK")
SERVER: dict[str, sa.Engine] = {}  # the database whose server processes are counted


def _stat(pid: int) -> list[str]:
    # the fields after "(comm)": [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def server_cpu() -> float:
    """CPU seconds so far of the PostgreSQL server serving the benchmark's database (it runs
    on this machine): its live backends, plus what the server's exited children used (parallel
    query workers live only for one query; autovacuum adds a little noise). 0 on SQLite, which
    runs inside this process."""
    engine = SERVER.get("engine")
    if engine is None:
        return 0.0
    with engine.connect() as conn:  # one pooled connection: the monitor's backend stays alive
        pids = conn.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        total, parents = 0.0, set()
        for pid in pids:
            try:
                stat = _stat(pid)
            except OSError:
                continue
            total += (int(stat[11]) + int(stat[12])) / TICKS
            parents.add(int(stat[1]))
        for parent in parents:  # the postmaster: children it has reaped
            try:
                stat = _stat(parent)
            except OSError:
                continue
            total += (int(stat[13]) + int(stat[14])) / TICKS
    return total


def median_ms(fn: Callable[[], object], runs: int, rounds: int = 3) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds: the median of `rounds` medians of `runs` timed calls,
    after one warm-up call. On a shared machine the CPU time is what a request costs here:
    this process's (SQLite runs in it) plus, on PostgreSQL, its backends' per call (counted
    per round)."""
    fn()
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = [], []
        server = server_cpu()
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        walls.append(statistics.median(wall))
        cpus.append(statistics.median(cpu) + (server_cpu() - server) / runs)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def ensure_database(url: str) -> None:
    """Create a missing PostgreSQL scratch database (the role needs CREATEDB; else say how)."""
    if not url.startswith("postgresql"):
        return
    target = sa.engine.make_url(url)
    try:
        sa.create_engine(target, poolclass=sa.pool.NullPool).connect().close()
        return
    except sa.exc.OperationalError as error:
        if "does not exist" not in str(error):
            raise
    server = sa.create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    try:
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    except sa.exc.DBAPIError:
        sys.exit(
            f"Database {target.database} does not exist and {target.username} may not create it:"
            f" psql -c 'CREATE DATABASE \"{target.database}\" OWNER {target.username}'"
            " as a superuser"
        )


def count_cases(url: str) -> int:
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            n = conn.execute(sa.text('SELECT count(*) FROM "case"')).scalar_one()
            indexed = conn.execute(sa.text("SELECT count(*) FROM case_search")).scalar_one()
        engine.dispose()
        return int(n) if indexed == n else -1
    except sa.exc.DBAPIError:
        return -1
