"""What the browser tests share: the check tally, and the gate the worker's endpoint calls go through.

The worker under test calls the endpoint at a port served here (GATE_PORT); `ForwardingGate`
relays every request to the real local endpoint (UPSTREAM) unless `intercept` answers it first,
so a test decides when a call goes through (web_page_test.py) or fails it (admin_page_test.py).
"""
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

results = {"passed": 0, "failed": 0}


def check(condition, what):
    results["passed" if condition else "failed"] += 1
    print(("ok   " if condition else "FAIL ") + what, flush=True)


class ForwardingGate(BaseHTTPRequestHandler):
    """Relays each request to `upstream`; a subclass's `intercept` may answer it instead."""

    upstream = ""

    def intercept(self, body):
        """(status, headers, reply) to answer without the endpoint, or None to forward (may block)."""
        return None

    def forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = self.intercept(body)
        if answer is None:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
            request = urllib.request.Request(self.upstream + self.path, data=body or None, headers=headers, method=self.command)
            try:
                with urllib.request.urlopen(request, timeout=300) as response:
                    answer = response.status, dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                answer = error.code, dict(error.headers), error.read()
        status, reply_headers, reply = answer
        self.send_response(status)
        for name, value in reply_headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = forward

    def log_message(self, *args):
        pass


def serve_gate(port, handler):
    """Serves `handler` on loopback `port` in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
