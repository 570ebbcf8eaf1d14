#!/usr/bin/env python3
"""What the derived negative and boundary inputs cost: requests and wall time of the main job,
`phase all --sandbox`, with `--negative off`, `basic` (the default) and `all`.

Usage: python3 bench/negative.py [--runs N]   (builds the release binary first)
Not a test: it measures, prints a table, and writes bench/negative-last.json.

Wall time: the main job as people run it (the embedded sandbox), the three levels in turn in each round so a
machine that drifts slows them alike; the median over the rounds. Requests: one run per level against a
sandbox in its own process that records every request it gets (the same catalogue, accounts and staff), and
the derived cases the run reported (`negative_input` in reports/last-run.json).
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, time
from common import free_port, timed, wait_port  # bench/common.py (bench/ is on sys.path when run)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "daodao-check")
LEVELS = ("off", "basic", "all")
# The sandbox's own staff account (README「The sandbox」), so the recorded run is the embedded one.
STAFF = {"DAODAO_STAFF_PHONE": "13912340000", "DAODAO_STAFF_PASSWORD": "staff-sandbox-2026"}


def derived_cases(reports):
    """The negative_input cases of the run whose result is in `reports`."""
    with open(os.path.join(reports, "last-run.json")) as f:
        result = json.load(f)
    return sum(1 for e in result["endpoints"] for c in e["cases"] if c["kind"] == "negative_input")


def counted(level, env):
    """Requests the backend got, and the derived cases reported, in one run at `level`."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        rec = os.path.join(tmp, "requests.jsonl")
        sandbox = subprocess.Popen([BIN, "sandbox", "--quiet", "--addr", f"127.0.0.1:{port}", "--record", rec],
                                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port(port)
            base = f"http://127.0.0.1:{port}/api/v1"
            run = subprocess.run([BIN, "phase", "all", "--color", "never", "--base-url", base, "--negative", level],
                                 cwd=ROOT, env=env, capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"phase all --negative {level} against the sandbox exited {run.returncode}:\n{run.stdout[-2000:]}")
            with open(rec) as f:
                requests = sum(1 for _ in f)
        finally:
            sandbox.terminate()
            sandbox.wait()
    return requests, derived_cases(os.path.join(ROOT, "reports"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "daodao-check"], cwd=ROOT, check=True)
    env = dict(os.environ, DAODAO_SMS_CODE="123456", NO_COLOR="1", **STAFF)
    env.pop("DAODAO_NEGATIVE", None)
    rows = {level: {"times": [], "peak_mib": 0.0} for level in LEVELS}
    # One round not counted: the first run pays for cold caches.
    for round_ in range(args.runs + 1):
        for level in LEVELS:
            secs, peak, code = timed([BIN, "phase", "all", "--sandbox", "--color", "never", "--negative", level], env)
            if code != 0:
                sys.exit(f"phase all --sandbox --negative {level} exited {code}")
            if round_ > 0:
                rows[level]["times"].append(secs)
                rows[level]["peak_mib"] = max(rows[level]["peak_mib"], peak)
    for level in LEVELS:
        rows[level]["requests"], rows[level]["derived"] = counted(level, env)
        rows[level]["median_s"] = statistics.median(rows[level]["times"])
        rows[level]["min_s"] = min(rows[level]["times"])
    off = rows["off"]
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores, {cpu}; {args.runs} rounds of phase all --sandbox at each level")
    print(f"{'--negative':12}{'requests':>10}{'derived':>9}{'median':>10}{'min':>10}{'peak RSS':>11}{'× off':>8}")
    for level in LEVELS:
        r = rows[level]
        print(f"{level:12}{r['requests']:>10}{r['derived']:>9}{r['median_s']:>9.3f}s{r['min_s']:>9.3f}s"
              f"{r['peak_mib']:>8.1f}MiB{r['median_s'] / off['median_s']:>7.2f}×")
    summary = {"machine": f"{os.cpu_count()} cores, {cpu}", "runs": args.runs,
               "levels": {level: {k: v for k, v in r.items() if k != "times"} for level, r in rows.items()}}
    with open(os.path.join(ROOT, "bench", "negative-last.json"), "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
