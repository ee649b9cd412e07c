"""What the benchmarks share: the machine, process trees (PSS, CPU), a throw-away PostgreSQL
database, gunicorn on loopback and ``wrk``."""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WRK_CONNECTIONS = 32
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def tree_pids(root_pids: list[int]) -> list[int]:
    """The live processes under ``root_pids`` (themselves included)."""
    todo, seen = list(root_pids), []
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.append(pid)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
    return seen


def pss_kib(root_pids: list[int]) -> int:
    """Proportional set size of the process trees under ``root_pids`` (smaps_rollup)."""
    total = 0
    for pid in tree_pids(root_pids):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
    return total


def cpu_seconds(root_pids: list[int]) -> float:
    """CPU time (user + system) the trees under ``root_pids`` have used: each live process's
    own, plus what the children it has reaped used (cutime, cstime), so a worker process that
    exits between two readings still counts."""
    ticks = 0
    for pid in tree_pids(root_pids):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / _CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_database(url: str, suffix: str) -> tuple[str, Callable[[], None]]:
    """A fresh database ``<name>_<suffix>`` beside the one ``url`` names: its URL and how to
    drop it."""
    import psycopg

    base, _, name = url.partition("?")[0].rpartition("/")
    bench = f"{name or 'postgres'}_{suffix}"

    def run(sql: str) -> None:  # from the maintenance database: the named one may not exist
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{bench}" WITH (FORCE)')
    run(f'CREATE DATABASE "{bench}"')
    return f"{base}/{bench}", lambda: run(f'DROP DATABASE IF EXISTS "{bench}" WITH (FORCE)')


def http_get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wrk_rate(port: int, path: str, headers: dict, seconds: int) -> float:
    """Requests/s ``wrk`` (2 threads, WRK_CONNECTIONS connections) gets from ``path``."""
    command = ["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603 - wrk on loopback
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw errors on {path}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def gunicorn_serve(env: dict, port: int) -> subprocess.Popen:
    """gunicorn, 2 sync workers, on 127.0.0.1:``port``, once /healthz answers."""
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    command = [gunicorn, "config.wsgi", "--workers", "2", "--worker-class", "sync"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own gunicorn
    for _ in range(100):
        try:
            if http_get(port, "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")
