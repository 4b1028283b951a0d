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


def run_locust(host: str, users: int, seconds: int, prefix: Path, env: dict, *, floor: bool = False) -> dict:
    """Run locust headless; the figures count from when every user has signed in
    (--reset-stats): a sign-in costs a deliberate ~0.3 s of CPU (PBKDF2) and happens once a day,
    so a crowd signing in at once is reported apart (the "sign in" row of the ramp)."""
    spawn_rate = max(1, users // 10)
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(  # noqa: S603 (fixed arguments)
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
             "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--host", host, "--csv", str(prefix),
             "--stop-timeout", "10", "--exit-code-on-error", "0", "--reset-stats"],
            check=True, env={**env, "LOAD_FLOOR": "1" if floor else "0"}, stdout=log, stderr=subprocess.STDOUT,
        )
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[(row["Type"], row["Name"])] = row
    return rows


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
        floor = run_locust(host, 3, args.floor_seconds, scratch / "floor", env, floor=True)
        failures = 0
        for users in args.users:
            crowd = run_locust(host, users, args.seconds, scratch / f"u{users}", env)
            failures += table(crowd, floor, users, args.seconds)
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
