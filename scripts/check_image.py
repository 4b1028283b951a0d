"""Replay the production image's build in a clean venv and serve a page with DEBUG off.

There is no Docker in CI, so this reads the Dockerfile and does what it says: its ENV, its
COPY steps (honouring .dockerignore) into a scratch folder, its build steps
(``sh scripts/image_build.sh …``) with a fresh venv's python first on the PATH, then starts its
CMD (gunicorn) on a loopback port and asks for the sign-in page and a static file: both must
answer 200, as in production (a missing staticfiles manifest answers 500 on every page).

Only the Dockerfile's system set-up (useradd, mkdir, chown) is not replayed; any other RUN
step fails the check, so a build step cannot hide from it. The pip cache is allowed (the image
disables it to stay small; it changes nothing that is installed).

Usage: python scripts/check_image.py [--keep]
"""

import fnmatch
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = "scripts/image_build.sh"
SYSTEM_COMMANDS = {"useradd", "mkdir", "chown"}


def dockerfile_instructions(path: Path = ROOT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        logical.append(current)
        current = ""
    result = []
    for text in logical:
        instruction, _, arguments = text.partition(" ")
        result.append((instruction.upper(), arguments.strip()))
    return result


def parse_env(arguments: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in shlex.split(arguments))


def is_build_step(command: str) -> bool:
    return command.startswith(f"sh {BUILD_SCRIPT} ")


def system_step_commands(command: str) -> set[str]:
    """The programs a RUN step calls (split on &&)."""
    return {shlex.split(part)[0] for part in command.split("&&") if part.strip()}


def check_run_steps(instructions) -> list[str]:
    """The build steps to replay; refuses a RUN that is neither a build step nor system set-up."""
    steps = []
    for instruction, arguments in instructions:
        if instruction != "RUN":
            continue
        if is_build_step(arguments):
            steps.append(arguments)
        elif not system_step_commands(arguments) <= SYSTEM_COMMANDS:
            raise SystemExit(
                f"Dockerfile: RUN {arguments!r} is neither `sh {BUILD_SCRIPT} …` nor system set-up "
                f"({', '.join(sorted(SYSTEM_COMMANDS))}); put build steps in {BUILD_SCRIPT}."
            )
    return steps


def dockerignore_patterns() -> list[str]:
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def ignored(relative: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.startswith("**/"):
            if fnmatch.fnmatch(Path(relative).name, pattern[3:]):
                return True
        elif fnmatch.fnmatch(relative, pattern) or relative.startswith(pattern.rstrip("/") + "/"):
            return True
    return False


def copy_step(arguments: str, workdir: Path) -> None:
    *sources, destination = shlex.split(arguments)
    target = workdir / destination
    patterns = dockerignore_patterns()
    for source in sources:
        origin = ROOT / source
        if origin.is_dir():
            for path in sorted(origin.rglob("*")):
                relative = path.relative_to(ROOT).as_posix()
                if path.is_dir() or ignored(relative, patterns):
                    continue
                if any(ignored(parent.as_posix(), patterns) for parent in Path(relative).parents if str(parent) != "."):
                    continue
                out = target / path.relative_to(origin)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, out)
        else:
            out = target / origin.name if destination.endswith("/") or target.is_dir() else target
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, out)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 30) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback URL
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def run(scratch: Path) -> None:
    started = time.monotonic()
    instructions = dockerfile_instructions()
    steps = check_run_steps(instructions)
    venv_dir = scratch / "venv"
    print(f"-- clean venv in {venv_dir}", flush=True)
    venv.create(venv_dir, with_pip=True)
    data = scratch / "data"
    env = {
        "PATH": f"{venv_dir / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(scratch)),
        "LANG": "C.UTF-8",
    }
    workdir = scratch
    for instruction, arguments in instructions:
        if instruction == "ENV":
            for key, value in parse_env(arguments).items():
                # The image's /data is the scratch folder's data/.
                env[key] = re.sub(r"^/data\b", str(data), value)
        elif instruction == "WORKDIR":
            workdir = scratch / "app"
            workdir.mkdir(parents=True, exist_ok=True)
        elif instruction == "COPY":
            copy_step(arguments, workdir)
        elif instruction == "RUN" and arguments in steps:
            print(f"-- RUN {arguments} ({time.monotonic() - started:.0f} s)", flush=True)
            replay = {key: value for key, value in env.items() if key != "PIP_NO_CACHE_DIR"}
            subprocess.run(["sh", "-c", arguments], cwd=workdir, env=replay, check=True)
    data.mkdir(parents=True, exist_ok=True)
    command = json.loads(next(arguments for instruction, arguments in instructions if instruction == "CMD"))
    port = free_port()
    bind = command.index("--bind")
    command[bind + 1] = f"127.0.0.1:{port}"
    runtime = {**env, "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1"}
    runtime.pop("DEBUG", None)
    print(f"-- migrate, SQLite in the scratch folder ({time.monotonic() - started:.0f} s)", flush=True)
    subprocess.run(["python", "manage.py", "migrate", "--noinput", "-v", "0"], cwd=workdir, env=runtime, check=True)
    print(f"-- {' '.join(command)}", flush=True)
    log = open(scratch / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, cwd=workdir, env=runtime, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        # Ready when a worker answers (loading Django takes a while on a busy machine).
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                fetch(f"{base}/healthz/", timeout=30)
                break
            except OSError:
                time.sleep(0.5)
        status, page = fetch(f"{base}/login/")
        problems = []
        if status != 200:
            problems.append(f"GET /login/ answered {status}")
        static = re.search(r'(/static/[^"\']+\.(?:css|js|svg))', page)
        if static is None:
            problems.append("the sign-in page links no static file")
        else:
            if not re.search(r"\.[0-9a-f]{12}\.", static.group(1)):
                problems.append(f"{static.group(1)} has no content hash (no manifest storage?)")
            static_status, _ = fetch(base + static.group(1))
            if static_status != 200:
                problems.append(f"GET {static.group(1)} answered {static_status}")
        health, _ = fetch(f"{base}/healthz/")
        if health != 200:
            problems.append(f"GET /healthz/ answered {health}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    if problems:
        print((scratch / "gunicorn.log").read_text()[-5000:], file=sys.stderr)
        raise SystemExit("image check failed: " + "; ".join(problems))
    print(f"-- image check passed in {time.monotonic() - started:.0f} s: /login/, {static.group(1)}, /healthz/ answer 200")


def main() -> None:
    keep = "--keep" in sys.argv[1:]
    scratch = Path(tempfile.mkdtemp(prefix="healthcity-image-"))
    try:
        run(scratch)
    finally:
        if keep:
            print(f"-- kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
