#!/usr/bin/env python3
"""One tick of the public batch guide's polling loop (one JobService/Get per job) against a running
`tcly serve`, for scripts/bench/batch/run (part c).

Usage: get_tick.py PORT API_KEY ORG_ID EXPECTED_JOBS

First, not timed: the ids of every job of the organization, with JobService/List (page_size 1000,
paged; a job that changes while paging can come back on a later page, so ids are deduplicated).
Exits 1 if that is not EXPECTED_JOBS jobs. Then, timed: one Get per job from 20 threads, each with
its own kept-alive HTTP/1.1 connection (http.client; more favourable to this loop than one
connection per request).

Prints one JSON object: jobs, list_requests, list_seconds, requests (Gets sent), seconds (the Get tick's
wall time), errors (count per reason), statuses (jobs per status as the Gets saw them).
"""
import http.client
import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

THREADS = 20


class Client:
    """Blocking Connect calls on one kept-alive connection per thread."""

    def __init__(self, port, key, org):
        self.port = int(port)
        self.headers = {"Content-Type": "application/json", "Authorization": "Bearer " + key,
                        "X-Organization-ID": org}
        self.local = threading.local()

    def call(self, method, body):
        """Returns (status, decoded body or None)."""
        payload = json.dumps(body)
        for attempt in range(2):  # one reconnect if the server closed the kept-alive connection
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                conn.request("POST", f"/transcodely.v1.{method}", payload, self.headers)
                response = conn.getresponse()
                text = response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt == 1:
                    raise
                continue
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, None
        raise AssertionError("unreachable")


def list_ids(client):
    ids, token, requests = set(), "", 0
    while True:
        status, page = client.call("JobService/List", {"page_size": 1000, "page_token": token})
        requests += 1
        if status != 200:
            sys.exit(f"get_tick: JobService/List answered {status}: {page}")
        ids.update(job["id"] for job in page.get("jobs", []))
        token = page.get("next_page_token", "")
        if not token:
            return sorted(ids), requests


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.split("\n\n")[1])
    port, key, org, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = Client(port, key, org)

    start = time.monotonic()
    ids, list_requests = list_ids(client)
    list_seconds = time.monotonic() - start
    if len(ids) != expected:
        sys.exit(f"get_tick: the organization has {len(ids)} jobs, expected {expected}")

    def get(job_id):
        try:
            status, body = client.call("JobService/Get", {"id": job_id})
        except (http.client.HTTPException, OSError) as error:
            return f"error {type(error).__name__}"
        if status != 200:
            return f"{status} {(body or {}).get('code', '?')}"
        return body["job"]["status"]

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = list(pool.map(get, ids))
    seconds = time.monotonic() - start

    errors = Counter(a for a in answers if " " in a)
    statuses = Counter(a for a in answers if " " not in a)
    report = {
        "jobs": len(ids), "list_requests": list_requests, "list_seconds": round(list_seconds, 3),
        "requests": len(ids), "seconds": round(seconds, 3), "threads": THREADS,
        "errors": dict(errors.most_common()), "statuses": dict(statuses.most_common()),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
