#!/usr/bin/env python3
"""Summarizes the results of scripts/bench/batch/run as Markdown tables and checks the targets.

Usage: report.py RAW_DIR ITEMS WATCH_JOBS MEMORY_JOBS
Reads RAW_DIR: a.json (tcly-bench batch), b1.json and b2.json (guide.py), c-create.json
(tcly-bench batch), c-watch.json (tcly-bench watch), c-gets.json (get_tick.py), d.json
(tcly-bench memory), and NAME-metrics.txt (the server's GET /metrics after part NAME: a, b1, b2,
c). A missing file shows as "?". Prints MISS for a missed target but exits 0."""
import json
import sys
from pathlib import Path

RATE, BURST = 500, 1000  # the premium tier of parts (a) and (b)


def load(raw, stem):
    path = raw / f"{stem}.json"
    return json.loads(path.read_text()) if path.exists() else None


def metrics(raw, stem):
    """(429 answers, jobs in the store) from the server's /metrics text, or (None, None)."""
    path = raw / f"{stem}-metrics.txt"
    if not path.exists():
        return None, None
    limited, jobs = None, None
    for line in path.read_text().splitlines():
        fields = line.split()
        if len(fields) != 2 or line.startswith("#"):
            continue
        if fields[0] == "tcly_rate_limited_total":
            limited = int(float(fields[1]))
        elif fields[0].startswith("tcly_jobs{"):
            jobs = (jobs or 0) + int(float(fields[1]))
    return limited, jobs


def fmt(value, spec=".2f"):
    return "?" if value is None else format(value, spec)


def get(run, field):
    return run.get(field) if run else None


def div(a, b):
    return a / b if a is not None and b else None


def mean(values):
    return sum(values) / len(values) if values else None


def main():
    raw, items, watch_jobs, memory_jobs = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    a, b1, b2 = load(raw, "a"), load(raw, "b1"), load(raw, "b2")
    c_create, c_watch, c_gets, d = load(raw, "c-create"), load(raw, "c-watch"), load(raw, "c-gets"), load(raw, "d")
    server = {name: metrics(raw, name) for name in ("a", "b1", "b2", "c")}
    ideal = max(0, items - BURST) / RATE

    print(f"**(a), (b) {items} creates, premium tier ({RATE}/s, burst {BURST}), a fresh server each**")
    print()
    print("| client | wall (s) | ÷ ideal | created | existed | failed | requests | 429s seen by the client | "
          "429s counted by the server | jobs in the store |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    a_wall = get(a, "wall_seconds")
    a_vs_ideal = div(a_wall, ideal)
    rows = [
        ("(a) `tcly-bench batch` (BatchKit pacer: rate 500, burst 1000, 100 in flight)", a, "a",
         "—", get(a, "refusals_seen")),
        ("(b1) guide, Python: `asyncio.Semaphore(20)`, retry on 429 after Retry-After (≤ 10 attempts)", b1, "b1",
         get(b1, "requests"), get(b1, "client_429s")),
        ("(b2) guide, JS pattern: chunks of 20 in parallel, 100 ms pause, no retry", b2, "b2",
         get(b2, "requests"), get(b2, "client_429s")),
    ]
    for label, run, name, requests, seen in rows:
        limited, stored = server[name]
        wall = get(run, "wall_seconds")
        print(f"| {label} | {fmt(wall)} | {fmt(div(wall, ideal)) if ideal else '—'} | {fmt(get(run, 'created'), 'd')} "
              f"| {fmt(get(run, 'existed'), 'd')} | {fmt(get(run, 'failed'), 'd')} "
              f"| {requests if isinstance(requests, str) else fmt(requests, 'd')} "
              f"| {fmt(seen, 'd')} | {fmt(limited, 'd')} | {fmt(stored, 'd')} |")
    print()
    if ideal:
        print(f"Ideal: ({items} − burst {BURST}) ÷ {RATE}/s = {ideal:.2f} s, the least time the rate limit allows.")
    else:
        print(f"Ideal: 0 s — {items} creates fit in the burst of {BURST}, so wall ÷ ideal is not defined "
              "(use ITEMS > 1000 for that figure).")
    notes = []
    for name, run in (("b1", b1), ("b2", b2)):
        if run and run.get("failures"):
            notes.append(f"({name}) failures: " + ", ".join(f"{n} × {reason}" for reason, n in run["failures"].items()))
    if b1 and b1.get("max_attempts", 0) > 1:
        notes.append(f"(b1) most attempts for one create: {b1['max_attempts']}")
    for name, run in (("a", a), ("b1", b1), ("b2", b2)):
        wall = get(run, "wall_seconds")
        if name != "a" and wall and a_wall:
            notes.append(f"({name}) wall ÷ (a) wall: {wall / a_wall:.2f}")
    if notes:
        print()
        for note in notes:
            print(f"- {note}")

    print()
    print(f"**(c) watching {watch_jobs} jobs (tier unlimited, jobs running: 16 workers, 0.2 s simulated encode)**")
    print()
    print("| watcher | requests per tick | seconds per tick |")
    print("|---|---:|---:|")
    per_tick = get(c_watch, "requests_per_tick") or []
    seconds = get(c_watch, "seconds_per_tick") or []
    if per_tick:
        print(f"| `tcly-bench watch` (JobMonitor, List updated_since), tick 1 (everything is new) "
              f"| {per_tick[0]} | {fmt(seconds[0], '.3f')} |")
    if len(per_tick) > 1:
        print(f"| `tcly-bench watch`, ticks 2–{len(per_tick)} (mean; changes only) "
              f"| {fmt(mean(per_tick[1:]), '.1f')} | {fmt(mean(seconds[1:]), '.3f')} |")
    gets_requests, gets_seconds = get(c_gets, "requests"), get(c_gets, "seconds")
    print(f"| the guide's loop: one Get per job (20 threads, kept-alive connections) | {fmt(gets_requests, 'd')} "
          f"| {fmt(gets_seconds, '.3f')} |")
    print()
    if c_watch:
        print(f"Monitor: {c_watch.get('jobs')} jobs followed; requests per tick {per_tick}, "
              f"seconds per tick [{', '.join(fmt(s, '.3f') for s in seconds)}].")
    if per_tick:
        print(f"Get loop ÷ monitor, tick 1: {fmt(div(gets_requests, per_tick[0]), '.0f')} × the requests, "
              f"{fmt(div(gets_seconds, seconds[0]), '.1f')} × the time.")
    if len(per_tick) > 1:
        print(f"Get loop ÷ monitor, later ticks: {fmt(div(gets_requests, mean(per_tick[1:])), '.0f')} × the requests, "
              f"{fmt(div(gets_seconds, mean(seconds[1:])), '.1f')} × the time.")
    if c_gets:
        extra = f"; Get errors: {c_gets['errors']}" if c_gets.get("errors") else ""
        print(f"Setup (not timed above): `tcly-bench batch` created {fmt(get(c_create, 'created'), 'd')} jobs "
              f"in {fmt(get(c_create, 'wall_seconds'))} s; get_tick.py listed their ids with "
              f"{c_gets['list_requests']} List requests in {c_gets['list_seconds']:.3f} s; "
              f"statuses seen by the Gets: {c_gets.get('statuses')}{extra}.")

    print()
    print(f"**(d) memory of a JobMonitor following {memory_jobs} jobs**")
    print()
    print("| jobs | RSS before (MB) | RSS after (MB) | bytes per job |")
    print("|---:|---:|---:|---:|")
    print(f"| {fmt(get(d, 'jobs'), 'd')} | {fmt(get(d, 'rss_before_mb'), 'd')} | {fmt(get(d, 'rss_after_mb'), 'd')} "
          f"| {fmt(get(d, 'bytes_per_job'), '.0f')} |")

    print()
    print("Targets:")

    def check(label, value, ok, shown=None):
        verdict = "MISS (no result)" if value is None else ("PASS" if ok(value) else "MISS")
        print(f"- {label}: {shown if shown is not None else value} — {verdict}")

    if ideal:
        check("(a) wall ÷ ideal <= 1.05", a_vs_ideal, lambda v: v <= 1.05, fmt(a_vs_ideal))
    else:
        print(f"- (a) wall ÷ ideal <= 1.05: not measured — {items} creates fit in the burst (ideal 0 s)")
    check("(a) 429s counted by the server == 0", server["a"][0], lambda v: v == 0)
    created = get(a, "created")
    check(f"(a) created == {items}", created, lambda v: v == items)
    check(f"(d) RSS after {memory_jobs} jobs <= 400 MB", get(d, "rss_after_mb"), lambda v: v <= 400,
          f"{fmt(get(d, 'rss_after_mb'), 'd')} MB")
    if memory_jobs != 1_000_000:
        print(f"  (the target is for 1,000,000 jobs; this run followed {memory_jobs})")


if __name__ == "__main__":
    main()
