#!/usr/bin/env python3
"""Summarizes the timings of scripts/bench/encode/run as Markdown tables and checks the targets.

Usage: report.py RAW_DIR DEFAULT_WORKERS CLIPS
Reads RAW_DIR/*.json: a-engine, b-engine, c-workers-1, c-workers-2 (written by jobs.py);
a-single, a-naive, b-xargs (written by run: {"wall", "output_bytes", ...}). A missing file shows
as "?" (the workers sweep is optional). Prints MISS for a missed target but exits 0."""
import json
import sys
from pathlib import Path


def load(raw, stem):
    path = raw / f"{stem}.json"
    return json.loads(path.read_text()) if path.exists() else None


def fmt(value, spec=".2f"):
    return "?" if value is None else format(value, spec)


def mb(run):
    return fmt(run["output_bytes"] / 1e6, ".1f") if run and run.get("output_bytes") is not None else "?"


def div(a, b):
    return a / b if a is not None and b else None


def engine_wall(run):
    return run["engine_wall"] if run else None


def client_wall(run):
    return run["client_wall"] if run else None


def plain_wall(run):
    return run["wall"] if run else None


def main():
    raw, workers, clips = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    a_engine, a_single, a_naive = load(raw, "a-engine"), load(raw, "a-single"), load(raw, "a-naive")
    b_engine, b_xargs = load(raw, "b-engine"), load(raw, "b-xargs")
    sweep = {n: load(raw, f"c-workers-{n}") for n in (1, 2)}

    print("**(a) one job, HLS ladder h264 1080p/720p/480p**")
    print()
    print("| run | wall (s) | client wall (s) | output (MB) | engine ÷ this |")
    print("|---|---:|---:|---:|---:|")
    e = engine_wall(a_engine)
    rungs = ""
    if a_naive and a_naive.get("rungs"):
        rungs = " (" + " + ".join(fmt(r) for r in a_naive["rungs"]) + ")"
    print(f"| engine, 1 job (`--workers 1`; created_at → completed_at) | {fmt(e)} | {fmt(client_wall(a_engine))} "
          f"| {mb(a_engine)} | 1.00 |")
    print(f"| one ffmpeg process (decode once, split, 3 encodes) | {fmt(plain_wall(a_single))} | — | {mb(a_single)} "
          f"| {fmt(div(e, plain_wall(a_single)))} |")
    print(f"| three ffmpeg processes, one per rung, in turn{rungs} | {fmt(plain_wall(a_naive))} | — | {mb(a_naive)} "
          f"| {fmt(div(e, plain_wall(a_naive)))} |")
    if a_engine:
        job = a_engine["jobs"][0]
        seen = job["seen"]
        probe_end = seen.get("processing")
        parts = [f"queued {fmt(job['started_at'] - job['created_at'], '.3f')} s (started_at − created_at)",
                 f"running {fmt(job['completed_at'] - job['started_at'])} s (completed_at − started_at)"]
        if probe_end is not None:
            parts.append(f"first seen `processing` {fmt(probe_end - job['create_sent'])} s after Create was sent "
                         "(0.2 s polls)")
        print()
        print("Engine job: " + "; ".join(parts) + ".")

    print()
    print(f"**(b) batch of {clips} clips, same ladder each**")
    print()
    print("| run | wall (s) | client wall (s) | s per clip | output (MB) | engine ÷ this |")
    print("|---|---:|---:|---:|---:|---:|")
    be = engine_wall(b_engine)
    print(f"| engine, default workers ({workers}); first created_at → last completed_at | {fmt(be)} "
          f"| {fmt(client_wall(b_engine))} | {fmt(div(be, clips))} | {mb(b_engine)} | 1.00 |")
    bx = plain_wall(b_xargs)
    print(f"| `xargs -P {workers}`, one ffmpeg process per clip | {fmt(bx)} | — | {fmt(div(bx, clips))} "
          f"| {mb(b_xargs)} | {fmt(div(be, bx))} |")

    if any(sweep.values()):
        print()
        print(f"**(c) worker count: the same {clips}-clip batch through the engine**")
        print()
        print("| `--workers` | wall (s) | client wall (s) | s per clip | ÷ `--workers 1` |")
        print("|---:|---:|---:|---:|---:|")
        w1 = engine_wall(sweep[1])
        for n, run in sweep.items():
            w = engine_wall(run)
            print(f"| {n} | {fmt(w)} | {fmt(client_wall(run))} | {fmt(div(w, clips))} | {fmt(div(w, w1))} |")

    warnings = []
    for name, run in (("a", a_engine), ("b", b_engine), ("c workers 1", sweep[1]), ("c workers 2", sweep[2])):
        for p in (run or {}).get("problems", []):
            warnings.append(f"({name}) {p}")
    # Like for like: the engine should write about what the plain ffmpeg command writes.
    for name, engine, plain in (("a", a_engine, a_single), ("b", b_engine, b_xargs)):
        if engine and plain and plain.get("output_bytes"):
            share = engine["output_bytes"] / plain["output_bytes"]
            if abs(share - 1) > 0.10:
                warnings.append(f"({name}) the engine wrote {share:.2f} × the bytes of plain ffmpeg: "
                                "its encode settings differ from the command compared with")
    if warnings:
        print()
        for w in warnings:
            print(f"- warning: {w}")

    print()
    print("Targets:")

    def check(label, value, target):
        verdict = "MISS (no result)" if value is None else ("PASS" if value <= target else "MISS")
        print(f"- {label}: {fmt(value)} — {verdict}")

    check("(a) engine ÷ one ffmpeg process <= 1.05", div(e, plain_wall(a_single)), 1.05)
    check("(a) engine ÷ three ffmpeg processes <= 0.80", div(e, plain_wall(a_naive)), 0.80)
    check(f"(b) engine ÷ xargs -P {workers} <= 1.10", div(be, bx), 1.10)
    done = {n: engine_wall(r) for n, r in sweep.items() if r}
    if len(done) == 2:
        best = min(done, key=done.get)
        print(f"- (c) fastest batch: `--workers {best}` "
              f"({fmt(done[best])} s vs {fmt(done[3 - best])} s); the default is {workers}")


if __name__ == "__main__":
    main()
