#!/usr/bin/env python3
"""Benchmark of the main job: `phase all` against the sandbox, wall time and peak memory, compared with a bare
HTTP client replaying the same requests at the same concurrency (the floor the tool's overhead is measured against).

Usage: python3 bench/bench.py [--runs N] [--jobs J]   (builds release binaries first)
Not a test: it measures, prints a table, and writes bench/last.json.
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, time
from common import free_port, timed, wait_port  # bench/common.py (bench/ is on sys.path when run)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "daodao-check")
REPLAY = os.path.join(ROOT, "target", "release", "examples", "replay")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--measure", choices=["tool", "replay"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        return measure(args)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "daodao-check", "--example", "replay"], cwd=ROOT, check=True)
    results = {}
    for kind in ("tool", "replay"):
        # A fresh Python per kind, so ru_maxrss is that kind's own peak.
        out = subprocess.run([sys.executable, __file__, "--measure", kind, "--runs", str(args.runs), "--jobs", str(args.jobs)],
                             cwd=ROOT, capture_output=True, text=True, check=True)
        results[kind] = json.loads(out.stdout)
    tool, replay = results["tool"], results["replay"]
    ratio = tool["median_s"] / replay["median_s"] if replay["median_s"] else float("nan")
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    summary = {"machine": f"{os.cpu_count()} cores, {cpu}", "jobs": args.jobs, "runs": args.runs,
               "requests": tool["requests"], "tool": tool, "bare_client": replay, "ratio": round(ratio, 2)}
    print(f"machine: {summary['machine']}; jobs {args.jobs}; {args.runs} runs; {tool['requests']} requests per run")
    print(f"{'':14}{'median':>10}{'min':>10}{'peak RSS':>12}")
    print(f"{'daodao-check':14}{tool['median_s']:>9.3f}s{tool['min_s']:>9.3f}s{tool['peak_mib']:>10.1f}MiB")
    print(f"{'bare client':14}{replay['median_s']:>9.3f}s{replay['min_s']:>9.3f}s{replay['peak_mib']:>10.1f}MiB")
    print(f"ratio (median): {ratio:.2f}x")
    with open(os.path.join(ROOT, "bench", "last.json"), "w") as f:
        json.dump(summary, f, indent=2)


def measure(args):
    times, requests, peak = [], 0, 0.0
    for _ in range(args.runs):
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            rec = os.path.join(tmp, "requests.jsonl")
            sandbox = subprocess.Popen([BIN, "sandbox", "--quiet", "--addr", f"127.0.0.1:{port}", "--record", rec], cwd=ROOT)
            try:
                wait_port(port)
                env = dict(os.environ, DAODAO_SMS_CODE="123456", NO_COLOR="1", DAODAO_JOBS=str(args.jobs))
                base = f"http://127.0.0.1:{port}/api/v1"
                if args.measure == "tool":
                    secs, peak_run, code = timed([BIN, "phase", "all", "--color", "never", "--base-url", base], env)
                    if code not in (0, 1):
                        sys.exit(f"daodao-check exited {code}")
                    requests = sum(1 for _ in open(rec))
                else:
                    # Record one tool run first, then time only the replay of exactly those requests.
                    subprocess.run([BIN, "phase", "all", "--color", "never", "--base-url", base], cwd=ROOT, env=env, capture_output=True)
                    replay_file = os.path.join(tmp, "replay.jsonl")
                    os.replace(rec, replay_file)
                    requests = sum(1 for _ in open(replay_file))
                    secs, peak_run, code = timed([REPLAY, replay_file, f"http://127.0.0.1:{port}", str(args.jobs)])
                    if code != 0:
                        sys.exit(f"replay exited {code}")
                times.append(secs)
                peak = max(peak, peak_run)
            finally:
                sandbox.terminate()
                sandbox.wait()
    print(json.dumps({"median_s": statistics.median(times), "min_s": min(times), "peak_mib": peak, "requests": requests}))


if __name__ == "__main__":
    main()
