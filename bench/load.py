"""Load on the production path: gunicorn (as the image runs it, gunicorn.conf.py), PostgreSQL,
Redis and a Celery worker, driven by locust (bench/locustfile.py) with 50 and 200 simulated
staff for 60 s each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/load.py --problems 100000

It builds (or reuses) a benchmark ledger with bench/ledger.py's generator, collects the static
files, starts gunicorn and a worker on loopback ports, and runs locust headless: first ONE user
for the floor (each endpoint's latency with nobody else on the server, in the same run), then
each crowd. It prints, per endpoint, requests, errors, p50/p95/p99 and the p50's ratio to the
floor, and requests per second in all. A write answered 409 (two simulated people moved the same
problem) is the ledger's correct refusal, listed as "conflict", not an error. It exits 1 when
any request failed. Needs locust (`pip install -c requirements.lock ".[bench]"`).
"""

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def say(message: str = "") -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (loopback)
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"{url} did not answer 200 within {seconds} s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class ConnectionSampler(threading.Thread):
    """Samples, twice a second, the connections PostgreSQL holds to the benchmark's database
    (pg_stat_activity, this sampler's own left out): all of them, active, idle and idle in a
    transaction."""

    SQL = """SELECT count(*), count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE state = 'idle'),
                    count(*) FILTER (WHERE state LIKE 'idle in transaction%%'),
                    current_setting('max_connections')::int
             FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.samples: list[tuple] = []
        self.done = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.done.wait(0.5):
                self.samples.append(conn.execute(self.SQL).fetchone())

    def summary(self) -> str:
        self.done.set()
        self.join(5)
        if not self.samples:
            return "connections: not sampled"
        total = [row[0] for row in self.samples]
        return (f"PostgreSQL connections to the database ({len(self.samples)} samples): max {max(total)}, "
                f"mean {sum(total) / len(total):.1f}; active max {max(row[1] for row in self.samples)}; "
                f"idle in transaction max {max(row[3] for row in self.samples)}; "
                f"max_connections {self.samples[0][4]}")


def run_locust(host: str, users: int, seconds: int, prefix: Path, env: dict, *, floor: bool = False,
               spawn_rate: float = 1.0) -> dict:
    """Run locust headless. The people arrive ``spawn_rate`` a second, as a morning's arrivals,
    and sign in; a sign-in costs a deliberate ~0.3 s of CPU (PBKDF2) and happens once a day, so
    the arrivals are timed apart (``{prefix}_signins.csv``, see ``signins``) and the figures
    count ``seconds`` from when the last person has signed in (bench/locustfile.py,
    LOAD_SECONDS); ``-t`` only bounds the whole run."""
    bound = ramp_seconds(users, spawn_rate) + seconds + 600
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(  # noqa: S603 (fixed arguments)
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
             "-u", str(users), "-r", f"{spawn_rate:g}", "-t", f"{bound}s", "--host", host, "--csv", str(prefix),
             "--stop-timeout", "10", "--exit-code-on-error", "0"],
            check=True, env={**env, "LOAD_FLOOR": "1" if floor else "0", "LOAD_SECONDS": str(seconds),
                             "LOAD_SIGNINS": f"{prefix}_signins.csv"},
            stdout=log, stderr=subprocess.STDOUT,
        )
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[(row["Type"], row["Name"])] = row
    return rows


def signins(prefix: Path) -> str:
    """The arrivals' sign-ins (bench/locustfile.py writes them before the measured time)."""
    try:
        count, p50, p95, p99 = (Path(f"{prefix}_signins.csv").read_text().strip().split(","))
    except (OSError, ValueError):
        return "sign-ins: not recorded"
    return f"sign-ins during the arrivals: {count}, p50 {p50} ms, p95 {p95} ms, p99 {p99} ms"


def ramp_seconds(users: int, spawn_rate: float) -> int:
    """How long the arrivals take (locust's -t counts them in; the measured time comes after)."""
    return int(users / spawn_rate + 0.999)


def _number(text) -> float | None:
    """A figure of locust's CSV ("N/A" when an endpoint had no request)."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def table(crowd: dict, floor: dict, users: int, seconds: int) -> int:
    say(f"\n{users} users, {seconds} s")
    say(f"  {'endpoint':<34} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'alone p50':>9} {'ratio':>6}")
    failures = 0
    for (kind, name), row in sorted(crowd.items(), key=lambda item: item[0][1]):
        if name == "Aggregated":
            continue
        alone = _number(floor.get((kind, name), {}).get("50%"))
        mine = _number(row["50%"])
        ratio = f"{mine / alone:.1f}x" if alone and mine is not None else "-"
        failures += int(row["Failure Count"])
        label = f"{name} ({kind.lower()})" if kind == "CONFLICT" else name
        say(f"  {label:<34} {row['Request Count']:>8} {row['Failure Count']:>6} {row['50%']:>7} {row['95%']:>7}"
            f" {row['99%']:>7} {alone or '-':>9} {ratio:>6}")
    total = crowd.get(("", "Aggregated"), {})
    say(f"  all: {float(total.get('Requests/s', 0)):.1f} requests/s, {total.get('Request Count', 0)} requests, "
        f"{total.get('Failure Count', 0)} errors; p50 {total.get('50%')} ms, p95 {total.get('95%')} ms, "
        f"p99 {total.get('99%')} ms")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--floor-seconds", type=int, default=30)
    parser.add_argument("--spawn-rate", type=float, default=2.0,
                        help="people arriving per second (default 2: 200 people sign in over 100 s)")
    args = parser.parse_args()

    database = os.environ.get("DATABASE_URL", "")
    if "bench" not in database or not database.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the production path runs on Redis.")
    if not (BIN / "locust").exists():
        sys.exit('locust is not installed: .venv/bin/pip install -c requirements.lock ".[bench]"')

    say(f"ledger: up to {args.problems:,} problems (bench/ledger.py's generator)")
    subprocess.run([sys.executable, str(ROOT / "bench" / "ledger.py"), "--create-db", "--only", "generate",  # noqa: S603
                    "--problems", str(args.problems)], check=True, cwd=ROOT)

    scratch = Path(tempfile.mkdtemp(prefix="load-"))
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    env = {
        **os.environ, "DEBUG": "0", "SECRET_KEY": "load-only-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_COOKIES": "0", "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(scratch / "static"), "MEDIA_ROOT": str(scratch / "media"),
        "VAR_DIR": str(scratch / "var"), "GUNICORN_BIND": f"127.0.0.1:{port}",
        "CSRF_TRUSTED_ORIGINS": host, "DEMO_PASSWORD": "demo",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],  # noqa: S603
                   check=True, cwd=ROOT, env=env)
    web = worker = None
    try:
        web = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [str(BIN / "gunicorn"), "config.wsgi:application"], cwd=ROOT, env=env, start_new_session=True,
            stdout=open(scratch / "gunicorn.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        worker = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [str(BIN / "celery"), "-A", "config", "worker", "--loglevel=WARNING", "--concurrency=2"],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=open(scratch / "worker.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        wait_healthy(f"{host}/login/", web)
        say(f"gunicorn on {host} (gunicorn.conf.py: GUNICORN_WORKERS={os.environ.get('GUNICORN_WORKERS', 'default')}, "
            f"GUNICORN_THREADS={os.environ.get('GUNICORN_THREADS', 'default')}), a Celery worker, "
            f"{os.cpu_count()} CPUs")
        say(f"floor: one person of each kind, no pause, for {args.floor_seconds} s")
        floor = run_locust(host, 3, args.floor_seconds, scratch / "floor", env, floor=True, spawn_rate=3)
        failures = 0
        for users in args.users:
            sampler = ConnectionSampler(database)
            sampler.start()
            crowd = run_locust(host, users, args.seconds, scratch / f"u{users}", env, spawn_rate=args.spawn_rate)
            failures += table(crowd, floor, users, args.seconds)
            say(f"  arrivals {args.spawn_rate:g}/s over {ramp_seconds(users, args.spawn_rate)} s, not counted above; "
                + signins(scratch / f"u{users}"))
            say("  " + sampler.summary())
        errors = [line for line in (scratch / "gunicorn.log").read_text().splitlines()
                  if "Traceback" in line or "[CRITICAL]" in line or "WORKER TIMEOUT" in line]
        if errors:
            say(f"\ngunicorn log: {len(errors)} tracebacks/timeouts (log: {scratch / 'gunicorn.log'})")
            failures += len(errors)
    finally:
        stop(web)
        stop(worker)
    if failures:
        say(f"\n{failures} failed requests; logs in {scratch}")
        sys.exit(1)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
