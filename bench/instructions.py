"""Instructions per request of the ledger page and `/api/problems/`, counted by callgrind.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_100k .venv/bin/python bench/instructions.py

On a shared machine a request's time moves with the neighbours; the number of instructions the
app's process runs for it does not (the database's own work is not counted: it is another
process). The script runs itself under ``valgrind --tool=callgrind`` with counting off, turns it
on around each case's requests (``callgrind_control``) and prints the instructions per request:
a change's effect on the app's Python, one request at a time, to a fraction of a percent. Needs
valgrind (Debian's package) and a database made by bench/ledger.py.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    ("no filter", ""), ("status=rectifying", "status=rectifying"), ("a chosen district", "district={district}"),
    # (callgrind_control passes a dump's name in ASCII: the searches are named, not quoted)
    ("overdue", "overdue=true"), ("search, common", "q=捕蝇笼"), ("search, no match", "q=垃圾分类亭"),
    ("open + sort by deadline", "open=true&sort=deadline"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5, help="counted requests per case (after 5 of warm-up)")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.inner:
        return measure(options.requests)
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="callgrind-") as folder:
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={folder}/cg.%p",
                   os.path.realpath(sys.executable), __file__, "--inner", "1", "--requests", str(options.requests)]
        # The real interpreter (a venv's python is a link); the venv's packages by PYTHONPATH.
        site = next(Path(sys.prefix, "lib").glob("python3*/site-packages"))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)])}
        run = subprocess.run(command, env=env, capture_output=True, text=True)
        if run.returncode:
            sys.exit(run.stdout[-2000:] + run.stderr[-4000:])
        print(f"instructions per request ({options.requests} counted per case), the app's process only")
        for dump in sorted(Path(folder).glob("cg.*.*"), key=lambda p: int(p.name.rsplit(".", 1)[1])):
            text = dump.read_text(errors="replace")
            label = re.search(r"^desc: Trigger: .*?[Dd]ump (.+)$", text, re.M)
            total = re.search(r"^summary: (\d+)", text, re.M)
            if label and total:
                print(f"  {label.group(1):60s} {int(total.group(1)) / options.requests / 1e6:7.2f}M")


def measure(requests: int) -> None:
    # bench/ledger.py's set-up, by loading it: the same settings as the wall-clock benchmark (DEBUG
    # off, one database connection for all requests, no collectstatic manifest).
    import importlib.util
    import logging

    spec = importlib.util.spec_from_file_location("bench_ledger", ROOT / "bench" / "ledger.py")
    bench_ledger = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_ledger)
    logging.disable(logging.WARNING)
    from django.test import Client

    from campaign.models import District, User

    # As bench/ledger.py and a server process: the heap settled after the first requests
    # (config/heap.py), so a full collection of the loaded application lands in no count.
    bench_ledger.settle_as_a_server({who: User.objects.get(username=who) for who in ("hq", "district")})
    pid = str(os.getpid())

    def callgrind(*args):
        subprocess.run(["callgrind_control", *args, pid], capture_output=True, check=True)

    callgrind("--instr=on")
    for who in ("hq", "district"):
        user = User.objects.get(username=who)
        district = District.objects.get(code="D02").pk if who == "hq" else user.district_id
        client = Client()
        client.force_login(user)
        for base, kind in (("/ledger/problems/", "page"), ("/api/problems/", "API")):
            for label, query in CASES:
                query = query.replace("&sort=deadline", "") if kind == "API" else query
                url = base + ("?" + query.format(district=district) if query else "")
                for _ in range(5):
                    response = client.get(url)
                if response.status_code != 200:
                    sys.exit(f"{url}: {response.status_code}")
                callgrind("--zero")
                for _ in range(requests):
                    client.get(url)
                callgrind(f"--dump={kind} {who}: {label}")
    callgrind("--instr=off")


if __name__ == "__main__":
    main()
