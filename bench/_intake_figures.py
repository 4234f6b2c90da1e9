"""The figures of bench/intake.py's load part: what each run measured, one table per
configuration, and what an idle machine would show."""

import os
import statistics
from dataclasses import dataclass, field

from bench._cpu import Window

TARGET = 0.8
BUSY_CORES = 0.15  # other processes' use above which a run's shares say little


@dataclass
class Tally:
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds per report
    waits: list[float] = field(default_factory=list)  # client threads' waits for a CPU
    service: list[float] = field(default_factory=list)  # seconds in a worker, per request


@dataclass
class Run:
    rate: float  # reports per second
    errors: list[str]
    window: Window
    done: int
    tally: Tally

    def path_seconds(self) -> float:
        """Mean seconds a report spent in a worker (waiting for a free worker left out), less
        what every part of ours (workers, database, S3 server, client) spent waiting for a CPU
        per report: its time on a machine with nothing else running (an estimate). The load
        generator's waits happen outside the worker and are left out."""
        if not self.tally.service:  # no access log: the client's view, its own waits too
            waits = (self.window.waits + sum(self.tally.waits)) / self.done
            return statistics.mean(self.tally.latencies) - waits
        # Waits before a request starts (a worker woken by a new connection) are counted too:
        # never below the workers' own CPU per report.
        less = statistics.mean(self.tally.service) - self.window.waits / self.done
        return max(less, self.per_report("workers") or 0.0)

    def per_report(self, part: str) -> float | None:
        """CPU seconds a part used per report."""
        assert self.window.parts is not None
        seconds = self.window.parts.get(part)
        return None if seconds is None else seconds / self.done

    def cores(self, seconds: float) -> float:
        return seconds / self.window.elapsed


@dataclass
class Series:
    runs: dict[int, list[Run]] = field(default_factory=dict)
    workers: int = 0  # gunicorn worker processes

    def median_rate(self, n: int) -> float:
        return statistics.median(r.rate for r in self.runs[n])


def ms(seconds: float | None) -> str:
    return "    -" if seconds is None else f"{seconds * 1000:5.0f}"


def print_series(label: str, series: Series, roots: dict[str, int], clients: list[int]) -> int:
    """One line per client count (medians over the rounds) and its CPU; returns the errors."""
    single = series.median_rate(clients[0]) * clients[0] if clients[0] == 1 else None
    print(f"  {label}")
    print(
        "    clients  reports/s  share of 2x one  |  CPU ms per report: workers database"
        "   S3 client  |  cores: ours others idle"
    )
    errors = 0
    for n in clients:
        runs = series.runs[n]
        errors += sum(len(r.errors) for r in runs)
        med = statistics.median
        per = {p: med((r.per_report(p) or 0) for r in runs) for p in ("workers", "client")}
        for part in ("database", "S3"):
            per[part] = med(r.per_report(part) or 0 for r in runs) if part in roots else None
        ours = med(r.cores(sum(r.window.parts.values())) for r in runs)  # type: ignore[union-attr]
        others = med(r.cores(r.window.others) for r in runs)
        idle = med(r.cores(r.window.idle) for r in runs)
        share = "-"
        if single and n > 1:
            ratio = series.median_rate(n) / (2 * single)
            share = f"{ratio:.2f}" + (" (below)" if ratio < TARGET else "")
        failed = [e for r in runs for e in r.errors]
        print(
            f"    {n:7d}  {series.median_rate(n):9.2f}  {share:>15}  |  "
            f"{ms(per['workers']):>26} {ms(per['database']):>8} {ms(per['S3']):>4} "
            f"{ms(per['client']):>6}  |  {ours:11.2f} {others:6.2f} {idle:4.2f}"
            + (f"  {len(failed)} ERRORS ({', '.join(sorted(set(failed)))})" if failed else "")
        )
    busiest = max(r.cores(r.window.others) for runs in series.runs.values() for r in runs)
    if busiest > BUSY_CORES:
        print(
            f"    BUSY MACHINE: other processes used up to {busiest:.2f} cores during these runs, "
            "so the shares above are not the portal's; judge by the lines below"
        )
    return errors


def judge(series: Series, clients: list[int]) -> None:
    """What the shares would be on an idle machine, from what a busy one cannot change: each
    report's CPU (every part) and its latency less the time our threads waited for a CPU.
    One client's rate is then 1 / that latency; N clients' the lower of N / their latency and
    cores / CPU per report. CPU per report above one client's is what running side by side
    costs; latency above one client's beyond the CPU is waiting on each other (locks). With
    PostgreSQL and S3 on this machine, one client keeps more than a core busy (those servers
    work beside its worker, partly after answering), which caps its share below 1; the last
    line leaves their CPU out, as when they run on other machines."""
    if clients[0] != 1:
        return
    print(f"    {series.workers} gunicorn workers; on an idle machine (estimates):")
    med, cores = statistics.median, os.cpu_count() or 1

    def cpu(r: Run) -> float:
        return sum((r.window.parts or {}).values()) / r.done

    lone_cpu = med(cpu(r) for r in series.runs[1])
    lone_path = med(r.path_seconds() for r in series.runs[1])
    print(
        f"    1 client: {lone_cpu * 1000:.0f} ms CPU per report (every part), "
        f"{lone_path * 1000:.0f} ms per report in a worker without waits for a CPU "
        f"({lone_cpu / lone_path:.2f} cores busy)"
    )
    for n in clients[1:]:
        each = med(cpu(r) for r in series.runs[n])
        path = med(r.path_seconds() for r in series.runs[n])
        projected = min(min(n, series.workers) / path, cores / each) * lone_path / 2
        print(
            f"    {n} clients: {each * 1000:.0f} ms CPU per report ({each / lone_cpu:.2f}x one "
            f"client's), {path * 1000:.0f} ms per report in a worker without CPU waits: "
            f"about {projected:.2f} of 2x one client (the CPU allows "
            f"{cores / each * lone_path / 2:.2f})"
        )
        if len(series.runs[n][0].window.parts or {}) > 2:  # a database or S3 server beside us
            own = med(
                (r.per_report("workers") or 0) + (r.per_report("client") or 0)
                for r in series.runs[n]
            )
            alone = min(min(n, series.workers) / path, cores / own) * lone_path / 2
            print(f"      with the database and S3 servers on other machines: about {alone:.2f}")
