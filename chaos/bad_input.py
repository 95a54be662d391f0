"""Chaos suite 5: a barrage of malformed requests against a running API while
normal traffic flows. Every bad request must get a 4xx with a JSON error body
(`{"error":{"code","message"}}`), the API must never crash or hang, and the
normal uploads and jobs must keep succeeding. Prints `N passed, N failed`.

Usage: BASE_URL=http://127.0.0.1:8000 POSTER=assets/sample-poster.png python3 chaos/bad_input.py
"""
import json
import os
import socket
import struct
import threading
import time
import urllib.parse
import uuid
import zlib

from chaoslib import finish, multipart, record, sample_poster

BASE = os.environ["BASE_URL"]
HOST, PORT = urllib.parse.urlparse(BASE).hostname, urllib.parse.urlparse(BASE).port
POSTER = sample_poster()


def exchange(raw, timeout=30, slow=None):
    """Sends raw bytes (or slowly, chunk by chunk) and returns (status, headers, body)."""
    sock = socket.create_connection((HOST, PORT), timeout=timeout)
    try:
        if slow:
            for piece in slow:
                sock.sendall(piece)
                time.sleep(0.2)
        else:
            sock.sendall(raw)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                break
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")), None)
                if length is not None and len(body) >= length:
                    break
    finally:
        sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, head.decode("latin-1"), body


def request(method, path, body=b"", headers=None):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body is not None and "Transfer-Encoding" not in (headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def png_header(width, height):
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))


def upload(data, filename="poster.png", boundary="chaos"):
    body = multipart([("file", filename, data)], boundary)
    return request("POST", "/api/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def decompose(text, content_type="application/json"):
    return request("POST", "/api/decompose", text if isinstance(text, bytes) else text.encode(), {"Content-Type": content_type})


def expect_json_error(name, raw, statuses, slow=None):
    try:
        status, _, body = exchange(raw, slow=slow)
    except Exception as error:  # a hang or a refused connection is a failure
        record(False, f"{name}: {type(error).__name__} {error}")
        return
    try:
        error = json.loads(body)["error"]
        shaped = isinstance(error["code"], str) and isinstance(error["message"], str)
    except Exception:
        shaped = False
    record(status in statuses and shaped, f"{name}: {status} {body[:120]!r}")


# A real upload, to aim bad decompose requests at an existing file.
status, _, body = exchange(upload(POSTER))
file_id = json.loads(body)["file_id"] if status == 201 else str(uuid.uuid4())
job_status, _, job_body = exchange(decompose(json.dumps({"file_id": file_id, "num_layers": 2, "resolution": 640})))
job_id = json.loads(job_body)["job_id"] if job_status == 202 else str(uuid.uuid4())

truncated_png = POSTER[: len(POSTER) // 2]
cases = [
    ("upload: not multipart", request("POST", "/api/upload", b"{}", {"Content-Type": "application/json"}), {415}),
    ("upload: no content type", request("POST", "/api/upload", b"hello"), {415}),
    ("upload: boundary missing", request("POST", "/api/upload", multipart([("file", "a.png", POSTER)]), {"Content-Type": "multipart/form-data"}), {400}),
    ("upload: wrong boundary", request("POST", "/api/upload", multipart([("file", "a.png", POSTER)]), {"Content-Type": "multipart/form-data; boundary=other"}), {400}),
    ("upload: body cut before closing boundary", request("POST", "/api/upload", multipart([("file", "a.png", POSTER)])[:-20], {"Content-Type": "multipart/form-data; boundary=chaos"}), {400}),
    ("upload: garbage after boundary", request("POST", "/api/upload", b"--chaos junk\r\n", {"Content-Type": "multipart/form-data; boundary=chaos"}), {400}),
    ("upload: header block too long", request("POST", "/api/upload", b"--chaos\r\nX: " + b"a" * 20000 + b"\r\n\r\n", {"Content-Type": "multipart/form-data; boundary=chaos"}), {400}),
    ("upload: no file field", request("POST", "/api/upload", multipart([("image", "a.png", POSTER)]), {"Content-Type": "multipart/form-data; boundary=chaos"}), {422}),
    ("upload: empty file", upload(b""), {400}),
    ("upload: text named .png", upload(b"hello, I am text"), {415}),
    ("upload: GIF", upload(b"GIF89a" + b"\x00" * 64), {415}),
    ("upload: BMP", upload(b"BM" + b"\x00" * 64), {415}),
    ("upload: truncated PNG header", upload(POSTER[:20]), {415}),
    ("upload: truncated PNG", upload(truncated_png), {415}),
    ("upload: decompression bomb header", upload(png_header(100000, 100000)), {413}),
    ("upload: JPEG magic only", upload(b"\xff\xd8\xff\xe0" + b"\x00" * 32), {415}),
    ("upload: declared 30 MB", request("POST", "/api/upload", b"", {"Content-Type": "multipart/form-data; boundary=chaos", "Content-Length": "31457280"}).replace(b"Content-Length: 0\r\n", b""), {413}),
    ("decompose: malformed JSON", decompose('{"file_id":'), {400}),
    ("decompose: invalid UTF-8", decompose(b'{"file_id":"\xff\xfe"}'), {400}),
    ("decompose: empty body", decompose(""), {400}),
    ("decompose: array", decompose("[1,2,3]"), {400}),
    ("decompose: wrong content type", decompose("{}", "text/plain"), {415}),
    ("decompose: huge JSON", decompose('{"pad":"' + "x" * 200000 + '"}'), {413}),
    ("decompose: missing file_id", decompose("{}"), {422}),
    ("decompose: file_id not a UUID", decompose('{"file_id":"../../etc/passwd"}'), {422}),
    ("decompose: string for a number", decompose(json.dumps({"file_id": file_id, "num_layers": "5"})), {422}),
    ("decompose: true for a number", decompose(json.dumps({"file_id": file_id, "num_layers": True})), {422}),
    ("decompose: 5.5 layers", decompose(json.dumps({"file_id": file_id, "num_layers": 5.5})), {422}),
    ("decompose: 1e9 layers", decompose('{"file_id":"%s","num_layers":1e9}' % file_id), {422}),
    ("decompose: resolution 800", decompose(json.dumps({"file_id": file_id, "resolution": 800})), {422}),
    ("decompose: unknown file", decompose(json.dumps({"file_id": str(uuid.uuid4())})), {404}),
    ("decompose: deeply nested JSON", decompose("[" * 5000 + "]" * 5000), {400, 413}),
    ("job: non-UUID id", request("GET", "/api/jobs/not-a-uuid", None), {404}),
    ("job: unknown id", request("GET", f"/api/jobs/{uuid.uuid4()}", None), {404}),
    ("result: encoded traversal", request("GET", f"/results/{job_id}/..%2F..%2Fetc%2Fpasswd", None), {404}),
    ("result: dot segments", request("GET", f"/results/{job_id}/../../etc/passwd", None), {404}),
    ("result: file the job did not produce", request("GET", f"/results/{job_id}/layer_99.png", None), {404}),
    ("costs: days=0", request("GET", "/api/costs?days=0", None), {422}),
    ("costs: days=abc", request("GET", "/api/costs?days=abc", None), {422}),
    ("unknown path", request("GET", "/wp-admin/setup.php", None), {404}),
    ("websocket path without upgrade", request("GET", f"/ws/status/{job_id}", None), {426}),
]

# Normal traffic alongside, at a steady pace (a user's, not a flood that would
# rightly fill the queue and get 429s): uploads and decomposes must keep succeeding.
normal = {"ok": 0, "bad": 0, "statuses": set()}
stop = threading.Event()


def normal_traffic():
    while not stop.is_set():
        status, _, body = exchange(upload(POSTER))
        good = status == 201
        if good:
            fid = json.loads(body)["file_id"]
            status, _, _ = exchange(decompose(json.dumps({"file_id": fid, "num_layers": 2, "resolution": 640})))
            good = status == 202
        normal["ok" if good else "bad"] += 1
        if not good:
            normal["statuses"].add(status)
        stop.wait(0.05)


workers = [threading.Thread(target=normal_traffic) for _ in range(2)]
for worker in workers:
    worker.start()
for name, raw, statuses in cases:
    expect_json_error(name, raw, statuses)
# A slowloris-style upload: trickles its body; others must still be served meanwhile.
slow_pieces = [request("POST", "/api/upload", None, {"Content-Type": "multipart/form-data; boundary=chaos", "Transfer-Encoding": "chunked"})]
slow_pieces += [b"5\r\n--cha\r\n"] * 10
slow_thread = threading.Thread(target=lambda: exchange(b"", timeout=90, slow=slow_pieces))
slow_thread.start()
start = time.time()
status, _, _ = exchange(request("GET", "/healthz", None))
record(status == 200 and time.time() - start < 5, "a slow upload does not hold up other requests")
slow_thread.join(timeout=90)
stop.set()
for worker in workers:
    worker.join()
record(normal["ok"] > 0 and normal["bad"] == 0,
       f"normal traffic kept succeeding ({normal['ok']} ok, {normal['bad']} failed, statuses {sorted(normal['statuses'])})")
status, _, _ = exchange(request("GET", "/readyz", None))
record(status == 200, "the API is still ready at the end")

finish(f"bad-input barrage ({len(cases)} kinds)")
