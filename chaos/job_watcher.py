"""One job followed over WebSocket from the client host, for chaos/multi_host.py."""
import json
import threading
import time

from chaoslib import ENDED
from cluster import ADDRESS, API_PORT, other
from ws_client import Closed, WebSocket


class Watcher(threading.Thread):
    """Follows one job over WebSocket, first on the replica that did not take it; when the
    connection ends before the job does (a killed replica), it connects again, to the other
    replica first, and catches up from the snapshot the server sends on connect. Records every
    connection: (replica, versions received, close code — None when it broke without one,
    "refused" when it could not connect —, opened, ended)."""

    def __init__(self, job, taker, deadline):
        super().__init__(daemon=True)
        self.job, self.taker, self.deadline = job, taker, deadline
        self.connections = []
        self.current = None  # the replica it is connected to now
        self.final = None  # the last message, once it says the job ended
        self.problems = []  # versions out of order: a gap, a repeat or a step back
        self.pings = 0  # the server's keep-alive pings answered

    def run(self):
        replica = other(self.taker)
        last_version = 0
        while self.final is None and time.time() < self.deadline:
            versions, code = [], None
            try:
                socket = WebSocket(ADDRESS[replica], API_PORT, f"/ws/status/{self.job}", timeout=10)
            except (OSError, Closed):
                self.connections.append((replica, versions, "refused", time.time(), time.time()))
                replica = other(replica)
                time.sleep(0.5)
                continue
            self.current, opened = replica, time.time()
            try:
                while True:
                    # The server pings every 30 s: a minute without a frame is a connection that is gone.
                    message = json.loads(socket.receive(self.deadline, idle=60))
                    version = int(message["version"])
                    if versions and version == versions[-1] and message.get("status") == "queued" and "position" in message:
                        # A place in the queue moved: the job's last message again, same version,
                        # with its new position (not a change of the job, so no new version).
                        continue
                    if versions and version != versions[-1] + 1:
                        self.problems.append(f"{versions[-1]} then {version} on {replica}")
                    elif not versions and version < last_version:
                        self.problems.append(f"snapshot {version} after {last_version} on {replica}")
                    versions.append(version)
                    last_version = version
                    if message["status"] in ENDED:
                        self.final = message
            except Closed as closed:
                code = closed.code
            except (TimeoutError, OSError) as error:
                code = f"{type(error).__name__}"
            finally:
                socket.close()
                self.current = None
                self.pings += socket.pings
            self.connections.append((replica, versions, code, opened, time.time()))
            if self.final is None:
                replica = other(replica)
                time.sleep(0.2)
