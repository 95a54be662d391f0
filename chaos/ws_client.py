"""A WebSocket client in the standard library (RFC 6455, client side, text messages),
for chaos/multi_host.py's watchers: just what reading `/ws/status/{job_id}` takes —
the opening handshake, text messages (fragmented or not), answering pings, and the
close frame with its code. Hand-written rather than a PyPI package so the suite needs
nothing but python3, like the other chaos suites.
"""
import base64
import hashlib
import os
import socket
import struct
import time

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Closed(Exception):
    """The connection ended: `code` is the server's close code (1000, 1001, ...) or None when
    the connection broke without a close frame (a killed server, a reset)."""

    def __init__(self, code, reason=""):
        super().__init__(f"closed ({code}{': ' + reason if reason else ''})")
        self.code = code
        self.reason = reason


class WebSocket:
    def __init__(self, host, port, path, timeout=10):
        """Connects and completes the handshake; raises OSError (refused, unreachable, timeout)
        or Closed(None) when the server does not switch protocols."""
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16))
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key.decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        self.buffer = b""
        self.pings = 0
        head = self._read_until(b"\r\n\r\n", time.time() + timeout)
        status, *headers = head.decode("latin-1").split("\r\n")
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest()).decode()
        fields = {name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in headers)}
        if not status.startswith("HTTP/1.1 101") or fields.get("sec-websocket-accept") != accept:
            self.sock.close()
            raise Closed(None, f"no upgrade: {status}")

    def _read_until(self, marker, deadline):
        while marker not in self.buffer:
            self._fill(deadline)
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _fill(self, deadline):
        self.sock.settimeout(max(0.05, deadline - time.time()))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError("no data before the deadline")
        except OSError as error:
            raise Closed(None, str(error))
        if not data:
            raise Closed(None, "connection closed without a close frame")
        self.buffer += data

    def _take(self, count, deadline):
        while len(self.buffer) < count:
            self._fill(deadline)
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _send(self, opcode, payload=b""):
        """Client frames are masked (RFC 6455 §5.3); payloads here are small control frames."""
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def receive(self, deadline, idle=60):
        """The next text message; raises Closed when the server closes (after answering its close)
        or the connection breaks, TimeoutError when `idle` seconds pass without a frame (a ping
        counts: the server sends one every 30 s) or `deadline` comes."""
        message = b""
        while True:
            limit = min(deadline, time.time() + idle)
            first, second = self._take(2, limit)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._take(2, limit))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._take(8, limit))[0]
            payload = self._take(length, limit)
            if opcode == 0x9:
                self.pings += 1
                self._send(0xA, payload)
            elif opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                try:
                    self._send(0x8, payload[:2])
                except OSError:
                    pass
                self.close()
                raise Closed(code, payload[2:].decode("utf-8", "replace"))
            elif opcode in (0x1, 0x0):
                message += payload
                if first & 0x80:
                    return message.decode("utf-8")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
