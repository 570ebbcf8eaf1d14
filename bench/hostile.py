#!/usr/bin/env python3
"""Benchmark of a hostile backend: what one huge answer costs the tool, in wall time and peak memory.

A small HTTP server on loopback (a process of its own, a thread per connection) answers one endpoint of a
generated project with a huge body; the release binary runs `run --endpoint` against it, started by
/usr/bin/time, whose %M is that process's own peak RSS (a child forked straight from this script would
inherit the script's RSS in its ru_maxrss on Linux). Cases:

  huge          an ~8 MB list of `{}` where objects with required fields are expected (default limits:
                the body is larger than max_validated_body_bytes, so its envelope is judged and its data
                is not validated)
  huge-raised   the same body with max_validated_body_bytes = 16 MiB: parsed whole, validated on a sample
  huge-array    a million `0` items where an object is expected (~2 MB, under the limit: validated)
  endless       a chunked body that never ends (read until max_body_bytes, 8 MiB)

Goals (issue "Hostile backends"): the 8 MB case under 200 MiB peak and 3 s; the report under 1 MB.
Usage: python3 bench/hostile.py [--runs N] [--no-build]. Not a test: it measures, prints a table, and
writes bench/hostile-last.json.
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "daodao-check")


def envelope(data):
    return b'{"code":0,"message":"ok","data":' + data + b"}"


def bodies():
    return {
        "huge": envelope(b"[" + b",".join([b"{}"] * 2_666_000) + b"]"),
        "huge_array": envelope(b"[" + b",".join([b"0"] * 1_000_000) + b"]"),
    }


BODIES = {}


def serve(conn):
    """Answers one request by its path: /api/v1/h/<mode>; the endless mode writes until the client leaves."""
    with conn:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                return
            head += chunk
        path = head.split(b" ")[1].decode()
        mode = path.rsplit("/", 1)[-1]
        try:
            if mode == "endless":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n")
                chunk = b"{}," * 20_000
                frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
                for _ in range(20_000):  # 1.2 GB at most
                    conn.sendall(frame)
                return
            body = BODIES.get(mode)
            status = b"200 OK" if body else b"404 Not Found"
            body = body or b'{"code":404,"message":"Route not found","data":null}'
            conn.sendall(b"HTTP/1.1 " + status + b"\r\nConnection: close\r\nContent-Type: application/json\r\n"
                         + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            pass


def run_server():
    """The server process: builds the bodies, prints its port and their sizes, serves until stdin closes."""
    BODIES.update(bodies())
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def loop():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    sizes = {k: len(v) for k, v in BODIES.items()}
    print(json.dumps({"port": listener.getsockname()[1], "sizes": sizes}), flush=True)
    sys.stdin.read()


def start_server():
    proc = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    hello = json.loads(proc.stdout.readline())
    return proc, hello["port"], hello["sizes"]


def project(tmp, mode, run_keys):
    """A project with one endpoint, GET /h/<mode>, whose data is an object (or, for huge, a list of objects)
    with required id and name."""
    item = {"type": "object", "required": ["id", "name"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    schema, example = (({"type": "array", "items": item}, [{"id": "i", "name": "n"}]) if mode == "huge"
                       else (item, {"id": "i", "name": "n"}))
    os.makedirs(os.path.join(tmp, "contracts", "h"))
    with open(os.path.join(tmp, "daodao-check.toml"), "w") as f:
        f.write(f"[run]\njobs = 4\ntimeout_ms = 10000\nlatency_budget_ms = 60000\n{run_keys}\n")
    with open(os.path.join(tmp, "contracts", "plan.toml"), "w") as f:
        f.write('prefix = "/api/v1"\n\n[[module]]\nid = "h"\nname = "h"\n\n[[phase]]\nnumber = 1\nname = "h"\n'
                f'table_name = "h"\npriority = 5\nmodules = ["h"]\nendpoints = [\n'
                f'  {{ endpoint = "GET /api/v1/h/{mode}", name = "{mode}", module = "h" }},\n]\n')
    contract = {"id": f"h.{mode}", "method": "GET", "path": f"/h/{mode}", "phase": 1, "module": "h", "name": mode,
                "auth": "none", "response": {"data": schema},
                "example": {"response": {"code": 0, "message": "ok", "data": example}}}
    with open(os.path.join(tmp, "contracts", "h", f"{mode}.json"), "w") as f:
        json.dump(contract, f)


def measure(port, mode, run_keys):
    """One run: (seconds, peak RSS MiB, last-run.json bytes, stdout bytes, findings)."""
    with tempfile.TemporaryDirectory() as tmp:
        project(tmp, mode, run_keys)
        out_path = os.path.join(tmp, "stdout.txt")
        env = dict(os.environ, NO_COLOR="1")
        rss_path = os.path.join(tmp, "rss.txt")
        with open(out_path, "wb") as out:
            t = time.perf_counter()
            proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_path,
                                     BIN, "run", "--color", "never", "--endpoint", f"h.{mode}",
                                     "--base-url", f"http://127.0.0.1:{port}/api/v1"],
                                    cwd=tmp, env=env, stdout=out, stderr=subprocess.DEVNULL)
            code = proc.wait()
            secs = time.perf_counter() - t
        peak_kib = int(open(rss_path).read().split()[-1])
        if code not in (0, 1):
            sys.exit(f"{mode}: daodao-check exited {code}")
        report = os.path.join(tmp, "reports", "last-run.json")
        result = json.load(open(report))
        findings = [f"{f['check']} {f.get('path', '')} {f['message'][:90]}"
                    for e in result["endpoints"] for c in e["cases"] for f in c["findings"]]
        return secs, peak_kib / 1024, os.path.getsize(report), os.path.getsize(out_path), findings


CASES = [
    ("huge", "huge", ""),
    ("huge-raised", "huge", "max_validated_body_bytes = 16777216"),
    ("huge-array", "huge_array", ""),
    ("endless", "endless", ""),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return run_server()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "daodao-check"], cwd=ROOT, check=True)
    server, port, sizes = start_server()
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    summary = {"machine": f"{os.cpu_count()} cores, {cpu}", "runs": args.runs, "cases": {}}
    print(f"machine: {summary['machine']}; {args.runs} runs per case")
    print(f"{'case':14}{'body':>10}{'median':>10}{'max':>10}{'peak RSS':>12}{'report':>10}{'stdout':>10}")
    for name, mode, keys in CASES:
        runs = [measure(port, mode, keys) for _ in range(args.runs)]
        times = [r[0] for r in runs]
        peak = max(r[1] for r in runs)
        body = sizes.get(mode)
        case = {"body_bytes": body, "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
                "peak_mib": round(peak, 1), "report_bytes": runs[-1][2], "stdout_bytes": runs[-1][3],
                "findings": runs[-1][4]}
        summary["cases"][name] = case
        shown = f"{body / 1e6:.1f} MB" if body else "endless"
        print(f"{name:14}{shown:>10}{case['median_s']:>9.3f}s{case['max_s']:>9.3f}s{peak:>9.1f}MiB"
              f"{case['report_bytes']:>10}{case['stdout_bytes']:>10}")
        for f in case["findings"]:
            print(f"{'':16}{f}")
    server.stdin.close()
    server.wait()
    with open(os.path.join(ROOT, "bench", "hostile-last.json"), "w") as f:
        json.dump(summary, f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
