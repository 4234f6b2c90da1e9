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


def _trees(roots: dict[str, int]) -> dict[str, list[int]]:
    """Each named root with its live descendants (within a few generations)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(entry)) is not None:
            parent[int(entry)] = int(fields[1])
    found: dict[str, list[int]] = {}
    for name, root in roots.items():
        if root not in parent:
            continue
        found[name] = [root]
        for pid, ppid in parent.items():
            chain = ppid
            for _ in range(8):
                if chain == root:
                    found[name].append(pid)
                    break
                chain = parent.get(chain, 0)
                if chain <= 1:
                    break
    return found


def worker_pids(master: int) -> list[int]:
    """A gunicorn master's live worker processes."""
    return _trees({"master": master}).get("master", [master])[1:]


def tree_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process and its descendants: a root counts its reaped
    children too (recycled workers, finished backends), a live descendant its own time."""
    found = {}
    for name, pids in _trees(roots).items():
        ticks = 0
        for pid in pids:
            fields = _stat(pid)
            if fields is not None:
                ticks += sum(int(v) for v in fields[11 : 15 if pid == roots[name] else 13])
        found[name] = ticks / CLK_TCK
    return found


def thread_waits(pids: list[int]) -> float:
    """Seconds the live threads of these processes spent runnable but waiting for a CPU
    (/proc/.../schedstat): time a busy machine adds to a request without it doing anything."""
    total = 0
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                total += int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e9


def own_thread_wait() -> float:
    """Seconds the calling thread has waited for a CPU so far."""
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def own_seconds() -> float:
    """CPU seconds of this process (every thread), not of its children."""
    times = os.times()
    return times.user + times.system


def machine_seconds() -> tuple[float, float]:
    """(busy, elapsed) CPU seconds of the whole machine since boot, over every core."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:9]]
    return (sum(values) - values[3] - values[4]) / CLK_TCK, sum(values) / CLK_TCK


def listeners(port: int) -> list[int]:
    """The local processes holding the listening socket of a TCP port (a gunicorn master and
    its workers share one)."""
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
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or not inodes:
            continue
        try:
            if any(
                os.readlink(f"/proc/{entry}/fd/{fd}") in inodes
                for fd in os.listdir(f"/proc/{entry}/fd")
            ):
                found.append(int(entry))
        except OSError:
            continue
    return sorted(found)


def endpoint_pid(url: str) -> int | None:
    """The local server behind an http://host:port address, when it runs on this machine."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    pids = listeners(parts.port or 80)
    return pids[0] if pids else None  # the S3 server is one process (weed mini)


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


def process_roots(master: int, database_url: str, s3_endpoint: str) -> dict[str, int]:
    """The process trees to account: the gunicorn master, and the database and S3 servers
    when they run on this machine (SQLite runs inside the workers)."""
    roots = {"workers": master}
    if database_url.startswith("postgresql") and (pid := postmaster_pid(database_url)):
        roots["database"] = pid
    if s3_endpoint and (pid := endpoint_pid(s3_endpoint)) is not None:
        roots["S3"] = pid
    return roots


@dataclass
class Window:
    """What each part and everyone else used between start() and stop()."""

    roots: dict[str, int]
    parts: dict[str, float] | None = None  # CPU seconds per named tree, "client" = this process
    others: float = 0.0  # CPU seconds of every other process on the machine
    idle: float = 0.0  # CPU seconds no process used
    elapsed: float = 0.0  # seconds of wall time
    database: str = ""  # the PostgreSQL database the workers use, if any
    # seconds the workers and their database backends waited for a CPU (see thread_waits);
    # not the gunicorn master, the database's background processes or the S3 server's (a Go
    # runtime's idle threads wait too): their waits are off the reports' path
    waits: float = 0.0

    def _waits(self) -> float:
        trees = _trees(self.roots)
        pids = trees.get("workers", [])[1:]
        for pid in trees.get("database", [])[1:]:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b" ")
            except OSError:
                continue
            if self.database.encode() in command:  # "postgres: user database host ..."
                pids.append(pid)
        return thread_waits(pids)

    def start(self) -> "Window":
        self._parts = {**tree_seconds(self.roots), "client": own_seconds()}
        self._machine = machine_seconds()
        self._wait = self._waits()
        return self

    def stop(self) -> "Window":
        self.waits = max(0.0, self._waits() - self._wait)
        parts = {**tree_seconds(self.roots), "client": own_seconds()}
        busy, total = machine_seconds()
        self.parts = {k: parts[k] - self._parts[k] for k in parts if k in self._parts}
        busy -= self._machine[0]
        total -= self._machine[1]
        self.others = max(0.0, busy - sum(self.parts.values()))
        self.idle = max(0.0, total - busy)
        self.elapsed = total / (os.cpu_count() or 1)
        return self
