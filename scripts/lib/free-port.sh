# Sourced by the scripts, chaos suites and bench parts: free_port prints a loopback port nothing
# holds, for a server the script starts. It comes from below the kernel's ephemeral range, so no
# outgoing connection takes it as its source port before the server binds it, or while a chaos
# suite restarts a server on it (the Swift tests' LoopbackPorts does the same).
free_port() {
  python3 - <<'PY'
import random, socket
with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
    upper = max(int(f.read().split()[0]) - 1, 2048)
for _ in range(200):
    port = random.randint(max(upper - 16383, 1024), upper)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free loopback port")
PY
}
