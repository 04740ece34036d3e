#!/usr/bin/env python3
"""The user's own path through the shell, for scripts/bench/batch/run (parts e and f).

Usage: shell_path.py TCLY_BIN RAW_DIR ITEMS_E[,ITEMS_E...] ITEMS_F
       shell_path.py report FILE     (the Markdown table of the JSON lines a run printed)

(e) For each N of ITEMS_E: a fresh `tcly serve --tier premium` (500/s, burst 1000) with N input
    files; `tcly run` of a script holding `batch --from LIST --concurrency 20 --name e` (no --rate:
    a user does not know their tier's number), timed as a whole process; then, against another
    fresh premium server in the same run, the guide's `asyncio.Semaphore(20)` pattern (guide.py).
    wall / ideal with ideal = (N - 1000) / 500 s; 429s counted by the server (/metrics).
(f) A fresh `tcly serve --tier standard` (100/s, burst 200): `tcly run` of a script that batches
    ITEMS_F inputs (keys `f_{index}`) and saves the session with `save`; then a second fresh
    standard server with the same input files, and `tcly run SAVED` timed as a whole process:
    wall / ideal with ideal = (ITEMS_F - 200) / 100 s; the replay must create ITEMS_F jobs with
    the same keys and meet no 429.

Prints one JSON object per line to stdout: {"part": ..., "items": ..., "wall_seconds": ...,
"ideal_seconds": ..., "ratio": ..., "server_429s": ..., "created": ...}.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import tcly_shell  # noqa: E402  (scripts/bench/tcly_shell.py)
API_KEY = "tk_bench_7d3b5f9a1c2e4d6f8a0b2c4e6f8a1d3b"  # a throwaway key for throwaway data dirs
ORG = "org_bench"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A fresh `tcly serve` on a free loopback port with COUNT empty inputs clip-I.mp4."""

    def __init__(self, tcly, raw, name, tier, count):
        self.data = tempfile.mkdtemp(prefix=f"tcly-bench-{name}-")
        folder = os.path.join(self.data, "origins", "input")
        os.makedirs(folder)
        for i in range(count):
            open(os.path.join(folder, f"clip-{i}.mp4"), "w").close()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, TRANSCODELY_API_KEY=API_KEY, TRANSCODELY_ORG_ID=ORG)
        self.log = open(os.path.join(raw, f"{name}-server.log"), "w")
        args = [tcly, "serve", "--listen", f"127.0.0.1:{self.port}", "--data", self.data, "--tier", tier,
                "--encoder", "simulate", "--simulate", "probe=0,encode=0.2", "--workers", "16"]
        print(f"==> ({name}) {' '.join(args[1:])}  [{count} input files]", file=sys.stderr)
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"shell_path: ({name}) the server did not start; log: {self.log.name}")
            time.sleep(0.1)

    def limited(self):
        with urllib.request.urlopen(self.base + "/metrics", timeout=10) as answer:
            text = answer.read().decode()
        match = re.search(r"^tcly_rate_limited_total (\d+)", text, re.M)
        return int(match.group(1)) if match else None

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


def tcly_run(tcly, server, script, raw, name):
    """`tcly run SCRIPT` against SERVER as a user runs it; returns (wall seconds, output)."""
    return tcly_shell.tcly_run(tcly, server.base, API_KEY, ORG, script, raw, name, "shell_path")


def created(output, batch):
    match = re.search(rf"batch {re.escape(batch)}: (\d+) created, (\d+) already existed, (\d+) failed", output)
    if not match:
        raise SystemExit(f"shell_path: no summary of batch {batch} in:\n{output}")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def emit(record):
    print(json.dumps(record), flush=True)
    print("    " + json.dumps(record), file=sys.stderr)


def listed(part, n):
    """A work folder holding list.txt, the N inputs clip-I.mp4 one per line."""
    work = tempfile.mkdtemp(prefix=f"tcly-bench-{part}-")
    listing = os.path.join(work, "list.txt")
    with open(listing, "w") as f:
        f.writelines(f"clip-{i}.mp4\n" for i in range(n))
    return work, listing


def part_e(tcly, raw, n):
    work, listing = listed("e", n)
    script = os.path.join(work, "e.tcly")
    with open(script, "w") as f:
        f.write(f"batch --from {listing} --concurrency 20 --name e --priority economy\n")
    server = Server(tcly, raw, f"e{n}", "premium", n)
    try:
        wall, output = tcly_run(tcly, server, script, raw, f"e{n}")
        made, existed, failed = created(output, "e")
        limited = server.limited()
    finally:
        server.stop()
    ideal = (n - 1000) / 500
    emit({"part": "e-tcly", "items": n, "wall_seconds": round(wall, 3), "ideal_seconds": ideal,
          "ratio": round(wall / ideal, 3), "server_429s": limited, "created": made, "failed": failed})

    server = Server(tcly, raw, f"e{n}-guide", "premium", n)
    try:
        print(f"==> (e{n}-guide) guide.py semaphore", file=sys.stderr)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, os.path.join(HERE, "guide.py"), "semaphore", str(server.port), API_KEY, ORG, str(n)],
                              capture_output=True, text=True, timeout=600)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"shell_path: guide.py failed:\n{done.stdout}{done.stderr}")
        report = json.loads(done.stdout.strip().splitlines()[-1])
        limited = server.limited()
    finally:
        server.stop()
    emit({"part": "e-guide", "items": n, "wall_seconds": round(wall, 3), "ideal_seconds": ideal,
          "ratio": round(wall / ideal, 3), "server_429s": limited, "created": report["created"],
          "failed": report["failed"], "inner_wall_seconds": report["wall_seconds"]})
    shutil.rmtree(work, ignore_errors=True)


def part_f(tcly, raw, n):
    work, listing = listed("f", n)
    saved = os.path.join(work, "saved.tcly")
    script = os.path.join(work, "make.tcly")
    with open(script, "w") as f:
        f.write(f"batch --from {listing} --name f --key 'f_{{index}}' --output mp4:h264:720p\nsave {saved}\n")
    server = Server(tcly, raw, "f-make", "standard", n)
    try:
        _, output = tcly_run(tcly, server, script, raw, "f-make")
        made, _, _ = created(output, "f")
        if made != n:
            raise SystemExit(f"shell_path: (f) the first run created {made} of {n}")
    finally:
        server.stop()
    shutil.copy(saved, os.path.join(raw, "f-saved.tcly"))
    server = Server(tcly, raw, "f-replay", "standard", n)
    try:
        wall, output = tcly_run(tcly, server, saved, raw, "f-replay")
        made, existed, failed = created(output, "f")
        limited = server.limited()
        # The same keys: every saved key is a job now.
        keys = set()
        token = ""
        while True:
            request = urllib.request.Request(server.base + "/transcodely.v1.JobService/List",
                                             data=json.dumps({"page_size": 1000, "page_token": token}).encode(),
                                             headers={"Content-Type": "application/json", "Authorization": "Bearer " + API_KEY,
                                                      "X-Organization-ID": ORG})
            for attempt in range(20):
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        page = json.loads(answer.read())
                    break
                except urllib.error.HTTPError as error:
                    if error.code != 429:
                        raise
                    time.sleep(1)
            keys |= {job.get("idempotency_key") for job in page.get("jobs", [])}
            token = page.get("next_page_token", "")
            if not token:
                break
    finally:
        server.stop()
    same = keys == {f"f_{i}" for i in range(n)}
    ideal = (n - 200) / 100
    emit({"part": "f-replay", "items": n, "wall_seconds": round(wall, 3), "ideal_seconds": ideal,
          "ratio": round(wall / ideal, 3), "server_429s": limited, "created": made, "failed": failed,
          "same_keys": same})
    shutil.rmtree(work, ignore_errors=True)


def report(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    names = {"e-tcly": "**tcly** `tcly run` of `batch --from LIST --concurrency 20` (no `--rate`), premium",
             "e-guide": "guide: `Semaphore(20)`, retry on 429, premium",
             "f-replay": "**tcly** `tcly run SAVED` (a `save`d batch) on a fresh standard engine"}
    targets = {"e-tcly": (1.10, "≤ 1.10"), "f-replay": (1.05, "≤ 1.05")}
    print("| part | items | wall (s) | ideal (s) | wall ÷ ideal | target | 429s (server) | created |")
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    for row in rows:
        target = targets.get(row["part"])
        verdict = "—"
        if target:
            met = row["ratio"] <= target[0] and row["server_429s"] == 0 and row["created"] == row["items"]
            verdict = f"{target[1]}, 0 refusals: {'**met**' if met else '**missed**'}"
        extra = "" if row.get("same_keys", True) else " (keys differ!)"
        print(f"| {names[row['part']]} | {row['items']} | {row['wall_seconds']:.2f} | {row['ideal_seconds']:.2f} | "
              f"{row['ratio']:.2f} | {verdict} | {row['server_429s']} | {row['created']}{extra} |")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "report":
        return report(sys.argv[2])
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    tcly, raw = sys.argv[1], sys.argv[2]
    for n in [int(x) for x in sys.argv[3].split(",") if x]:
        part_e(tcly, raw, n)
    if int(sys.argv[4]) > 0:
        part_f(tcly, raw, int(sys.argv[4]))


if __name__ == "__main__":
    main()
