#!/usr/bin/env python3
"""Runs one batch of encode jobs through a running `tcly serve` for scripts/bench/encode/run.

Usage: jobs.py PORT API_KEY ORG_ID RESULT_JSON OUTPUT_DIR TIMEOUT_S INPUT_PATH...

Sends one JobService/Create per INPUT_PATH (relative to ori_local_input), all at once (one thread
and connection each), each asking for the same HLS ladder (h264 1080p/720p/480p, quality
standard). Then polls JobService/Get for every unfinished job every 0.2 s until each is
completed. A failed or canceled job, an error answer or the timeout ends the script with exit 1
and the reason on stderr (a failed job's error code and message included).

RESULT_JSON gets: per job the final Job, when the client first saw each status, and its timings;
for the batch `engine_wall` (last completed_at - first created_at, the engine's own clock),
`client_wall` (first Create sent -> last completion seen) and `output_bytes` (every file under
OUTPUT_DIR, the engine's output origin, after the batch).
"""
import http.client
import json
import os
import secrets
import sys
import threading
import time
from datetime import datetime, timezone

OUTPUTS = [{"type": "hls", "video": [
    {"codec": "h264", "resolution": "1080p"},
    {"codec": "h264", "resolution": "720p"},
    {"codec": "h264", "resolution": "480p"},
]}]
POLL_S = 0.2
TERMINAL = {"completed", "failed", "canceled"}


def parse_time(text):
    """An RFC 3339 timestamp of the API (UTC, `Z`, usually six fraction digits) as epoch seconds."""
    if text is None:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            pass
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Client:
    def __init__(self, port, key, org):
        self.port = port
        self.headers = {"Content-Type": "application/json", "Authorization": "Bearer " + key,
                        "X-Organization-ID": org}
        self.conn = None

    def call(self, method, body):
        """POST a Connect method; the decoded answer, or exit with the error."""
        payload = json.dumps(body)
        for attempt in range(2):  # one reconnect if the kept-alive connection was dropped
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request("POST", "/transcodely.v1." + method, payload, self.headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError) as error:
                self.conn.close()
                self.conn = None
                if attempt:
                    sys.exit(f"jobs.py: {method} failed: {error!r}")
        if resp.status != 200:
            sys.exit(f"jobs.py: {method} {payload} answered HTTP {resp.status}: {data[:500].decode(errors='replace')}")
        return json.loads(data)


def main():
    if len(sys.argv) < 8:
        sys.exit(__doc__.split("\n\n")[1])
    port, key, org, result_path, output_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
    timeout_s, inputs = float(sys.argv[6]), sys.argv[7:]
    run_id = secrets.token_hex(4)

    jobs = [None] * len(inputs)
    errors = []
    start = threading.Barrier(len(inputs))

    def create(i, path):
        client = Client(port, key, org)
        body = {"input_origin_id": "ori_local_input", "input_path": path, "output_origin_id": "ori_local_output",
                "idempotency_key": f"bench-encode-{run_id}-{i}", "outputs": OUTPUTS}
        start.wait()
        sent = time.time()
        try:
            job = client.call("JobService/Create", body)["job"]
        except SystemExit as error:  # sys.exit in a thread only ends the thread
            errors.append(str(error))
            return
        jobs[i] = {"input_path": path, "id": job["id"], "create_sent": sent, "create_answered": time.time(),
                   "seen": {job["status"]: time.time()}, "job": job}

    t0 = time.time()
    threads = [threading.Thread(target=create, args=(i, p)) for i, p in enumerate(inputs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit(errors[0])
    print(f"jobs.py: created {len(jobs)} job(s): {' '.join(j['id'] for j in jobs)}", file=sys.stderr)

    client = Client(port, key, org)
    deadline = t0 + timeout_s
    pending = list(range(len(jobs)))
    while pending:
        time.sleep(POLL_S)
        for i in list(pending):
            job = client.call("JobService/Get", {"id": jobs[i]["id"]})["job"]
            now = time.time()
            jobs[i]["job"] = job
            jobs[i]["seen"].setdefault(job["status"], now)
            if job["status"] not in TERMINAL:
                continue
            pending.remove(i)
            if job["status"] != "completed":
                err = job.get("error", {})
                sys.exit(f"jobs.py: job {job['id']} (input {jobs[i]['input_path']}) ended {job['status']}: "
                         f"{err.get('code', '?')}: {err.get('message', '(no error message)')}\n"
                         f"job: {json.dumps(job)}")
            print(f"jobs.py: {job['id']} ({jobs[i]['input_path']}) completed", file=sys.stderr)
        if pending and time.time() > deadline:
            states = ", ".join(f"{jobs[i]['id']} {jobs[i]['job']['status']} {jobs[i]['job'].get('progress')}%"
                               for i in pending)
            sys.exit(f"jobs.py: not done after {timeout_s:.0f} s: {states}")
    t1 = time.time()

    problems = []
    for j in jobs:
        job = j["job"]
        j["created_at"], j["started_at"], j["completed_at"] = (
            parse_time(job.get(k)) for k in ("created_at", "started_at", "completed_at"))
        j["wall"] = j["completed_at"] - j["created_at"]
        variants = [v for r in job.get("results", []) for v in r.get("variants", [])]
        if len(job.get("results", [])) != 1 or len(variants) != 3:
            problems.append(f"{job['id']}: expected 1 result with 3 variants, got {json.dumps(job.get('results'))}")
    output_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(output_dir) for f in files)
    result = {
        "jobs": jobs,
        "engine_wall": max(j["completed_at"] for j in jobs) - min(j["created_at"] for j in jobs),
        "client_wall": t1 - t0,
        "output_bytes": output_bytes,
        "problems": problems,
    }
    with open(result_path, "w") as f:
        json.dump(result, f, indent=1)
    for p in problems:
        print(f"jobs.py: warning: {p}", file=sys.stderr)


if __name__ == "__main__":
    main()
