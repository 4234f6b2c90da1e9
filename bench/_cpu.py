"""CPU accounting for the load benchmarks, from /proc: the CPU each process tree (the gunicorn
master and its workers, the PostgreSQL postmaster and its backends, the S3 server) and this
process used over a run, and what every other process on the machine used meanwhile."""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def tree_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process and its descendants: a root counts its reaped
    children too (recycled workers, finished backends), a live descendant its own time."""
    parent, own = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(entry)) is not None:
            parent[int(entry)] = int(fields[1])
            own[int(entry)] = int(fields[11]) + int(fields[12])
    found = {}
    for name, root in roots.items():
        fields = _stat(root)
        if fields is None:
            continue
        ticks = sum(int(v) for v in fields[11:15])
        for pid, ppid in parent.items():
            chain = ppid
            for _ in range(8):  # a descendant of root, within a few generations
                if chain == root:
                    ticks += own[pid]
                    break
                chain = parent.get(chain, 0)
                if chain <= 1:
                    break
        found[name] = ticks / CLK_TCK
    return found


def own_seconds() -> float:
    """CPU seconds of this process (every thread), not of its children."""
    times = os.times()
    return times.user + times.system


def machine_seconds() -> tuple[float, float]:
    """(busy, elapsed) CPU seconds of the whole machine since boot, over every core."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:9]]
    return (sum(values) - values[3] - values[4]) / CLK_TCK, sum(values) / CLK_TCK


def listening_pid(port: int) -> int | None:
    """The local process listening on a TCP port, if any is (the S3 server)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{cols[9]}]")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{entry}/fd"):
                if os.readlink(f"/proc/{entry}/fd/{fd}") in inodes:
                    return int(entry)
        except OSError:
            continue
    return None


def endpoint_pid(url: str) -> int | None:
    """The local server behind an http://host:port address, when it runs on this machine."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    return listening_pid(parts.port or 80)


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            backend = conn.scalar(sa.text("SELECT pg_backend_pid()"))
            fields = _stat(backend)
            comm = Path(f"/proc/{backend}/comm").read_text() if fields else ""
    except (sa.exc.SQLAlchemyError, OSError):
        return None
    finally:
        engine.dispose()
    return int(fields[1]) if fields and comm.startswith("postgres") else None


@dataclass
class Window:
    """What each part and everyone else used between start() and stop()."""

    roots: dict[str, int]
    parts: dict[str, float] | None = None  # CPU seconds per named tree, "client" = this process
    others: float = 0.0  # CPU seconds of every other process on the machine
    idle: float = 0.0  # CPU seconds no process used
    elapsed: float = 0.0  # seconds of wall time

    def start(self) -> "Window":
        self._parts = {**tree_seconds(self.roots), "client": own_seconds()}
        self._machine = machine_seconds()
        return self

    def stop(self) -> "Window":
        parts = {**tree_seconds(self.roots), "client": own_seconds()}
        busy, total = machine_seconds()
        self.parts = {k: parts[k] - self._parts[k] for k in parts if k in self._parts}
        busy -= self._machine[0]
        total -= self._machine[1]
        self.others = max(0.0, busy - sum(self.parts.values()))
        self.idle = max(0.0, total - busy)
        self.elapsed = total / (os.cpu_count() or 1)
        return self
