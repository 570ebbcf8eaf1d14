"""What the benchmarks share: a free loopback port, waiting for a server to listen, timing a command as a
whole process with its own peak memory."""
import os, socket, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on {port}")


def timed(cmd, env=None):
    """Runs cmd; returns (seconds, its own peak RSS in MiB, exit code). wait4 gives this child's rusage alone."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t
    return secs, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)
