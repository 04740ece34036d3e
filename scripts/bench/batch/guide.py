#!/usr/bin/env python3
"""The public batch guide's own create patterns, against a running `tcly serve`, for
scripts/bench/batch/run (part b).

Usage: guide.py semaphore|chunks PORT API_KEY ORG_ID ITEMS

Creates ITEMS jobs: input `clip-I.mp4` in ori_local_input, output ori_local_output, idempotency
key `py-I`, priority economy, one mp4 output (h264 720p) -- the body tcly-bench batch sends.

  semaphore  the guide's Python pattern: every create is a task, `asyncio.Semaphore(20)` caps the
             ones in flight, each runs the blocking client in a thread (`asyncio.to_thread`). Here
             a create answered HTTP 429 sleeps the Retry-After header's seconds (still holding its
             semaphore slot, as a retrying `create_job` would) and is sent again, up to 10
             attempts in all; other failures are not retried.
  chunks     the guide's JS pattern, in asyncio: chunks of 20 creates in parallel
             (`asyncio.gather`), a 100 ms pause between chunks, no retry (a 429 is a failure).

The client is the standard library's urllib.request, one TCP connection per request (urllib sends
`Connection: close`; no keep-alive), proxies from the environment ignored. `asyncio.to_thread` runs
on the loop's default executor, which would be min(32, cpus + 4) threads (6 on 2 cores): the loop
gets a ThreadPoolExecutor(max_workers=20) so that 20 creates can really be in flight.

Prints one JSON object: wall_seconds (first create sent -> last answer), created, existed (answered with
`Idempotent-Replayed: true`), failed, requests (HTTP requests sent, retries included),
client_429s, max_attempts, failures (count per reason, e.g. "429 resource_exhausted").
"""
import asyncio
import json
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

CONCURRENCY = 20
PAUSE_S = 0.1
MAX_ATTEMPTS = 10
OUTPUTS = [{"type": "mp4", "video": [{"codec": "h264", "resolution": "720p"}]}]


class Client:
    """A blocking Create through urllib, like an SDK's synchronous `client.jobs.create`."""

    def __init__(self, port, key, org):
        self.url = f"http://127.0.0.1:{port}/transcodely.v1.JobService/Create"
        self.headers = {"Content-Type": "application/json", "Authorization": "Bearer " + key,
                        "X-Organization-ID": org}
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy

    def create(self, index):
        """One attempt. Returns (outcome, retry_after_seconds) with outcome "created", "existed",
        or a failure reason ("429 resource_exhausted", "500 internal", "error ConnectionResetError")."""
        body = json.dumps({
            "input_origin_id": "ori_local_input", "input_path": f"clip-{index}.mp4",
            "output_origin_id": "ori_local_output", "idempotency_key": f"py-{index}",
            "priority": "economy", "outputs": OUTPUTS,
        }).encode()
        request = urllib.request.Request(self.url, data=body, headers=self.headers, method="POST")
        try:
            with self.opener.open(request, timeout=60) as response:
                response.read()
                replayed = (response.headers.get("Idempotent-Replayed") or "").lower() == "true"
                return ("existed" if replayed else "created"), None
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                code = json.loads(text).get("code", "?")
            except ValueError:
                code = "?"
            retry_after = error.headers.get("Retry-After")
            try:
                retry_after = float(retry_after) if retry_after is not None else None
            except ValueError:
                retry_after = None
            return f"{error.code} {code}", retry_after
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            return f"error {type(reason).__name__}", None


class Tally:
    def __init__(self):
        self.outcomes = Counter()
        self.failures = Counter()
        self.requests = 0
        self.client_429s = 0
        self.max_attempts = 0

    def attempt(self, outcome):
        self.requests += 1
        if outcome.startswith("429 "):
            self.client_429s += 1

    def final(self, outcome, attempts):
        self.max_attempts = max(self.max_attempts, attempts)
        if outcome in ("created", "existed"):
            self.outcomes[outcome] += 1
        else:
            self.outcomes["failed"] += 1
            self.failures[outcome] += 1


async def semaphore_batch(client, items, tally):
    sem = asyncio.Semaphore(CONCURRENCY)

    async def run(index):
        async with sem:
            attempts = 0
            while True:
                attempts += 1
                outcome, retry_after = await asyncio.to_thread(client.create, index)
                tally.attempt(outcome)
                if outcome.startswith("429 ") and attempts < MAX_ATTEMPTS:
                    await asyncio.sleep(retry_after if retry_after is not None else 1)
                    continue
                tally.final(outcome, attempts)
                return

    await asyncio.gather(*(run(index) for index in range(items)), return_exceptions=False)


async def chunks_batch(client, items, tally):
    async def run(index):
        outcome, _ = await asyncio.to_thread(client.create, index)
        tally.attempt(outcome)
        tally.final(outcome, 1)

    for start in range(0, items, CONCURRENCY):
        await asyncio.gather(*(run(index) for index in range(start, min(items, start + CONCURRENCY))))
        if start + CONCURRENCY < items:
            await asyncio.sleep(PAUSE_S)


async def main_async(pattern, client, items, tally):
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=CONCURRENCY))
    batch = semaphore_batch if pattern == "semaphore" else chunks_batch
    start = time.monotonic()
    await batch(client, items, tally)
    return time.monotonic() - start


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in ("semaphore", "chunks"):
        sys.exit(__doc__.split("\n\n")[1])
    pattern, port, key, org, items = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    client = Client(port, key, org)
    tally = Tally()
    wall = asyncio.run(main_async(pattern, client, items, tally))
    report = {
        "pattern": pattern, "items": items, "wall_seconds": round(wall, 3),
        "created": tally.outcomes["created"], "existed": tally.outcomes["existed"],
        "failed": tally.outcomes["failed"], "requests": tally.requests, "client_429s": tally.client_429s,
        "max_attempts": tally.max_attempts, "failures": dict(tally.failures.most_common()),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
