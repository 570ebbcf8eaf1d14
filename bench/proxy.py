#!/usr/bin/env python3
"""Benchmark of the validating proxy: the latency it adds (p50/p99) and its throughput, against the
sandbox at 50 concurrent connections, compared with calling the sandbox directly; and its memory over a
long session (RSS after warm-up and after 100 000 exchanges, and the peak).

Two loads: saturated (every connection sends as soon as it is answered: the throughput; latencies are
then mostly queueing, concurrency / throughput) and paced at --rate requests/s in all (the latency an
exchange gets when the machine is not saturated: what the proxy itself adds).

Usage: python3 bench/proxy.py [--requests 20000] [--connections 50] [--rate 2000] [--runs 3] [--soak 100000]
Not a test: it measures, prints a table, and writes bench/proxy-last.json. Builds release binaries
first; the load generator is examples/proxy_load.rs (one keep-alive connection per worker).
Everything runs on this machine: the load, the proxy and the sandbox share its cores.
"""
import argparse, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time
from common import free_port, wait_port  # bench/common.py (bench/ is on sys.path when run)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "daodao-check")
LOAD = os.path.join(ROOT, "target", "release", "examples", "proxy_load")


def project():
    """A temporary project: the repository's contracts, its config, reports of its own."""
    tmp = tempfile.mkdtemp(prefix="daodao-proxy-bench-")
    for part in ("contracts", "scenarios", "fixtures"):
        os.symlink(os.path.join(ROOT, part), os.path.join(tmp, part))
    shutil.copy(os.path.join(ROOT, "daodao-check.toml"), tmp)
    return tmp


def load(base, connections, total, rate=0):
    out = subprocess.run([LOAD, base, str(connections), str(total), str(rate)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--rate", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--soak", type=int, default=100000)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "daodao-check", "--example", "proxy_load"],
                   cwd=ROOT, check=True)
    tmp = project()
    sandbox_port, proxy_port = free_port(), free_port()
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
    sandbox = subprocess.Popen([BIN, "sandbox", "--quiet", "--addr", f"127.0.0.1:{sandbox_port}"], **quiet)
    direct_base = f"http://127.0.0.1:{sandbox_port}/api/v1"
    proxy = None
    try:
        wait_port(sandbox_port)
        proxy = subprocess.Popen([BIN, "--color", "never", "proxy", "--quiet", "--upstream", direct_base,
                                  "--listen", f"127.0.0.1:{proxy_port}"], **quiet)
        wait_port(proxy_port)
        proxied_base = f"http://127.0.0.1:{proxy_port}/api/v1"
        load(direct_base, args.connections, 2000)
        load(proxied_base, args.connections, 2000)
        rss_warm = rss_kib(proxy.pid, "VmRSS")
        direct, proxied, direct_paced, proxied_paced = [], [], [], []
        paced = max(args.rate * 5, 1000)
        for _ in range(args.runs):
            direct.append(load(direct_base, args.connections, args.requests))
            proxied.append(load(proxied_base, args.connections, args.requests))
            direct_paced.append(load(direct_base, args.connections, paced, args.rate))
            proxied_paced.append(load(proxied_base, args.connections, paced, args.rate))
        # The soak in four parts, the proxy's RSS after each: flat memory plateaus, a leak climbs.
        rss_series, soaks = [], []
        for _ in range(4):
            soaks.append(load(proxied_base, args.connections, args.soak // 4))
            rss_series.append(round(rss_kib(proxy.pid, "VmRSS") / 1024, 1))
        soak = {"requests": sum(r["requests"] for r in soaks),
                "throughput": statistics.median(r["throughput"] for r in soaks),
                "p50_ms": statistics.median(r["p50_ms"] for r in soaks),
                "p99_ms": statistics.median(r["p99_ms"] for r in soaks)}
        rss_after = rss_kib(proxy.pid, "VmRSS")
        peak = rss_kib(proxy.pid, "VmHWM")
        proxy.send_signal(signal.SIGINT)
        proxy.wait(timeout=60)
        with open(os.path.join(tmp, "reports", "last-run.json")) as f:
            judged = json.load(f)["proxy"]["exchanges"]
    finally:
        for p in (proxy, sandbox):
            if p and p.poll() is None:
                p.terminate()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    med = lambda runs, k: statistics.median(r[k] for r in runs)
    summary = {
        "machine": f"{os.cpu_count()} cores, " + subprocess.run(
            ["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip(),
        "connections": args.connections, "requests_per_run": args.requests, "runs": args.runs,
        "direct": {k: med(direct, k) for k in ("p50_ms", "p99_ms", "throughput")},
        "proxied": {k: med(proxied, k) for k in ("p50_ms", "p99_ms", "throughput")},
        "rate": args.rate,
        "direct_paced": {k: med(direct_paced, k) for k in ("p50_ms", "p99_ms")},
        "proxied_paced": {k: med(proxied_paced, k) for k in ("p50_ms", "p99_ms")},
        "not_200": sum(r["not_200"] for r in direct + proxied + direct_paced + proxied_paced),
        "soak": {"exchanges": soak["requests"], "throughput": soak["throughput"], "p50_ms": soak["p50_ms"],
                 "p99_ms": soak["p99_ms"], "judged_in_total": judged,
                 "rss_after_warmup_mib": rss_warm / 1024, "rss_after_soak_mib": rss_after / 1024,
                 "rss_after_each_quarter_mib": rss_series,
                 "peak_rss_mib": peak / 1024},
    }
    for kind, (a, b) in {"saturated": ("direct", "proxied"), "paced": ("direct_paced", "proxied_paced")}.items():
        for q in ("p50_ms", "p99_ms"):
            summary[f"added_{q}_{kind}"] = summary[b][q] - summary[a][q]
    d, p, s = summary["direct"], summary["proxied"], summary["soak"]
    dp, pp = summary["direct_paced"], summary["proxied_paced"]
    print(f"machine: {summary['machine']}; load average {os.getloadavg()[0]:.1f}; {args.connections} connections; "
          f"{args.runs} runs (medians)")
    print(f"{'':24}{'p50':>10}{'p99':>10}{'req/s':>10}")
    print(f"{'direct, saturated':24}{d['p50_ms']:>8.2f}ms{d['p99_ms']:>8.2f}ms{d['throughput']:>10.0f}")
    print(f"{'proxied, saturated':24}{p['p50_ms']:>8.2f}ms{p['p99_ms']:>8.2f}ms{p['throughput']:>10.0f}")
    print(f"{f'direct, {args.rate}/s':24}{dp['p50_ms']:>8.2f}ms{dp['p99_ms']:>8.2f}ms")
    print(f"{f'proxied, {args.rate}/s':24}{pp['p50_ms']:>8.2f}ms{pp['p99_ms']:>8.2f}ms")
    print(f"added at {args.rate}/s: p50 {summary['added_p50_ms_paced']:.2f} ms, p99 {summary['added_p99_ms_paced']:.2f} ms; "
          f"saturated: p50 {summary['added_p50_ms_saturated']:.2f} ms, p99 {summary['added_p99_ms_saturated']:.2f} ms")
    print(f"soak: {s['exchanges']} exchanges at {s['throughput']:.0f}/s; proxy RSS {s['rss_after_warmup_mib']:.1f} MiB "
          f"after warm-up, then {', '.join(f'{m:.1f}' for m in s['rss_after_each_quarter_mib'])} MiB after each "
          f"quarter; peak {s['peak_rss_mib']:.1f} MiB; {judged} exchanges judged in the session")
    with open(os.path.join(ROOT, "bench", "proxy-last.json"), "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
