"""Local stand-ins for WeCom's and DingTalk's robot webhooks and for an SMTP server, on 127.0.0.1."""

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import time
import urllib.parse
from email import message_from_bytes
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DINGTALK_SECRET = "SEC0123456789abcdef"  # noqa: S105 - a test robot's secret


class _QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the client of /dead/slow hangs up before the answer, as it should


class Webhooks:
    """POST /wecom/ok, /dingtalk/ok (checks the signature), /dead/500, /dead/slow, /dead/errcode.
    ``received``: (path, query, payload) of every request, in order."""

    def __init__(self, slow_seconds: float = 3):
        self.received = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    receiver.received.append((url.path, query, payload))
                if url.path == "/dead/slow":
                    time.sleep(slow_seconds)
                if url.path == "/dead/500":
                    return self._answer(500, {"error": "boom"})
                if url.path == "/dead/errcode":
                    return self._answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
                if url.path == "/dingtalk/ok" and not receiver.dingtalk_signed(query):
                    return self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                if "markdown" not in payload:
                    return self._answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
                return self._answer(200, {"errcode": 0, "errmsg": "ok"})

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = _QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def dingtalk_signed(query: dict) -> bool:
        """DingTalk's rule: timestamp (ms) within an hour, sign = base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
        timestamp = query.get("timestamp", "")
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3_600_000:
            return False
        expected = base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(),
                                             hashlib.sha256).digest()).decode()
        return hmac.compare_digest(query.get("sign", ""), expected)

    def to(self, path: str) -> list:
        with self.lock:
            return [entry for entry in self.received if entry[0] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SmtpServer:
    """Enough of SMTP (RFC 5321) for Django's smtplib client: ``messages`` holds what it took."""

    def __init__(self):
        self.messages = []
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self):
                self.reply("220 test ESMTP")
                recipients = []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.decode(errors="replace").strip()
                    verb = command[:4].upper()
                    if verb == "EHLO":
                        self.reply("250-test")
                        self.reply("250 8BITMIME")
                    elif verb in ("HELO", "MAIL", "RSET", "NOOP"):
                        recipients = [] if verb in ("MAIL", "RSET") else recipients
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with .")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        receiver.messages.append((recipients, message_from_bytes(b"".join(data), policy=email_policy)))
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
