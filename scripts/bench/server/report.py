#!/usr/bin/env python3
"""Summarizes the raw wrk outputs of scripts/bench/server/run as a Markdown table and checks the
throughput targets. Usage: report.py RAW_DIR. Prints MISS for a missed target but exits 0."""
import re
import sys
from pathlib import Path

# (file stem in RAW_DIR, label) in the order the table shows them.
SCENARIOS = [
    ("create-new", "Create (new key)"),
    ("create-replay", "Create (replayed key)"),
    ("get", "Get (existing job)"),
    ("healthz", "GET /healthz"),
]
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    return float(m.group(1)) * UNITS_MS[m.group(2)] if m else None


def parse(path):
    """The numbers of one wrk --latency run (plus the `lua:` line of common.lua); None when absent."""
    text = path.read_text(errors="replace") if path.exists() else ""
    def find(pattern, conv=int):
        m = re.search(pattern, text, re.M)
        return conv(m.group(1)) if m else None
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    run = {
        "rps": find(r"^Requests/sec:\s+([\d.]+)", float),
        "p50": find(r"^\s+50%\s+(\S+)$", to_ms),
        "p99": find(r"^\s+99%\s+(\S+)$", to_ms),
        "non2xx": find(r"^lua: responses=\d+ non2xx=(\d+)"),  # wrk's own count below is the fallback
        "responses": find(r"^lua: responses=(\d+)"),
        "replayed": find(r"^lua: .* replayed=(\d+)"),
        "wrk_non2xx": find(r"Non-2xx or 3xx responses: (\d+)"),
        "socket_errors": sum(map(int, sock.groups())) if sock else 0,
        "first_error": find(r"^lua: first non-2xx: (.*)$", str),
    }
    if run["non2xx"] is None:
        run["non2xx"] = run["wrk_non2xx"]
    return run


def fmt(value, spec):
    return "?" if value is None else format(value, spec)


def main():
    raw = Path(sys.argv[1])
    runs = {stem: parse(raw / f"{stem}.txt") for stem, _ in SCENARIOS}
    base = runs["healthz"]["rps"]

    print("| scenario | requests/s | p50 (ms) | p99 (ms) | non-2xx | socket errors | ratio to /healthz |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for stem, label in SCENARIOS:
        r = runs[stem]
        ratio = r["rps"] / base if r["rps"] is not None and base else None
        print(f"| {label} | {fmt(r['rps'], ',.0f')} | {fmt(r['p50'], '.2f')} | {fmt(r['p99'], '.2f')} "
              f"| {fmt(r['non2xx'], 'd')} | {r['socket_errors']} | {fmt(ratio, '.2f')} |")

    notes = []
    for stem, label in SCENARIOS:
        r = runs[stem]
        if r["rps"] is None:
            notes.append(f"{label}: no wrk result (see {raw / (stem + '.txt')})")
        if r["non2xx"]:
            notes.append(f"{label}: {r['non2xx']} non-2xx responses, first: {r['first_error']}")
        if r["socket_errors"]:
            notes.append(f"{label}: {r['socket_errors']} socket errors (connect/read/write/timeout)")
    new, replay = runs["create-new"], runs["create-replay"]
    if new["replayed"]:
        notes.append(f"Create (new key): {new['replayed']} responses were replays: keys were not unique")
    if replay["responses"] is not None and replay["replayed"] != replay["responses"]:
        notes.append(f"Create (replayed key): only {replay['replayed']} of {replay['responses']} "
                     "responses carried Idempotent-Replayed: true")
    if notes:
        print()
        for n in notes:
            print(f"- warning: {n}")

    print()
    print("Targets:")
    def check(label, value, target, valid, unit=""):
        if value is None:
            verdict = "MISS (no result)"
        elif not valid:
            verdict = "MISS (the run had errors)"
        else:
            verdict = "PASS" if value >= target else "MISS"
        shown = fmt(value, ",.0f" if unit else ".2f")
        print(f"- {label}: {shown}{unit} — {verdict}")

    def clean(r):
        return not r["non2xx"] and not r["socket_errors"]

    def ratio(r):
        return r["rps"] / base if r["rps"] and base else None

    get, healthz = runs["get"], runs["healthz"]
    check("Create (new key) >= 5,000 requests/s", new["rps"], 5000, clean(new), " requests/s")
    check("Create (new key) >= 0.25 x /healthz", ratio(new), 0.25, clean(new) and clean(healthz))
    check("Get >= 0.5 x /healthz", ratio(get), 0.5, clean(get) and clean(healthz))


if __name__ == "__main__":
    main()
