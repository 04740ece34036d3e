#!/usr/bin/env python3
"""Engine nodes on one PostgreSQL, measured for scripts/bench/nodes/run (issue 14).

Usage: nodes.py TCLY_BIN POSTGRES_URL RAW_DIR

Every part gets a fresh database (CREATE DATABASE on POSTGRES_URL's server) and fresh node data
directories; every node is a `tcly serve --store … --node nI` process on a free loopback port with
the shared origins ori_shared_in / ori_shared_out, the simulate encoder and app org_bench
(unlimited tier unless said). Settings come from the environment (defaults in brackets):

(a) throughput: for 1, 2 and 3 nodes, WORKERS [4] workers each and jobs of DURATION [1.0] s,
    `tcly run` of a script holding `batch --from LIST --name t` then `wait --batch t` through node
    1 (the user's path: the shell), with ROUNDS [10] jobs per worker. jobs/s = jobs / (last
    completed_at - first created_at), against the ideal nodes x WORKERS / DURATION. Target >= 0.9
    at 3 nodes.
(b) create -> running on idle workers: 3 nodes, LATENCY_JOBS [60] jobs created one at a time
    through the three nodes in turn (each waited for before the next, so the workers are idle), started_at -
    created_at of each (the engine's own stamps). Target p95 <= 100 ms.
(c) Create/s: the server benchmark's create-new scenario (wrk -t2 -c64, CREATE_SECONDS [10] s,
    a new key per request) against one node on PostgreSQL and one `tcly serve` on SQLite.
(e) three shells sharing one app: 3 nodes at the standard tier (100/s, burst 200), three
    `tcly run` shells at once, each batching RATE_ITEMS [600] items through its own node. The
    app's rate as the shells reach it = (items - burst) / wall, against 100/s; 429s counted by the
    nodes (/metrics). (What three paced clients of one app get; part f measures the limit itself.)
(f) the limit itself: 3 nodes at the standard tier, three wrk runs at once (one per node,
    create-new, CREATE_SECONDS), as fast as they can: admitted = 2xx answers over all three; the
    app's admitted rate = (admitted - burst 200) / seconds, target within 5 % of 100/s.
(g) a cancel crossing nodes: 2 nodes, one worker each; CANCELS [20] times a long job is created,
    waited for until it runs, and cancelled through the node that does not run it; the time from
    the cancel's answer until the running node has stopped the encode and recorded why (its
    attempt's lines written). Target <= 2 s.
(d) kill -9 -> running elsewhere: node 2 alone takes WORKERS long jobs, nodes 1 and 3 start idle,
    node 2 is killed with SIGKILL; the time until every one of its jobs is running again on another
    node (attempt 2 claimed), with --lease LEASE [3] and --heartbeat HEARTBEAT [1].

Prints one JSON object per line on stdout.
"""
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

API_KEY = "tk_bench_nodes_5e7c9a1b3d5f7a9c1e3b5d7f"  # a throwaway key for a throwaway database
ORG = "org_bench"
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import tcly_shell  # noqa: E402  (scripts/bench/tcly_shell.py)
ROOT = os.path.abspath(os.path.join(HERE, "../../.."))

WORKERS = int(os.environ.get("WORKERS", "4"))
DURATION = float(os.environ.get("DURATION", "1.0"))
ROUNDS = int(os.environ.get("ROUNDS", "10"))
LATENCY_JOBS = int(os.environ.get("LATENCY_JOBS", "60"))
CREATE_SECONDS = int(os.environ.get("CREATE_SECONDS", "10"))
LEASE = float(os.environ.get("LEASE", "3"))
HEARTBEAT = float(os.environ.get("HEARTBEAT", "1"))
RATE_ITEMS = int(os.environ.get("RATE_ITEMS", "600"))
CANCELS = int(os.environ.get("CANCELS", "20"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql, database=None):
    """Runs SQL with psql on URL (or another database of its server); returns stdout."""
    if database:
        url = url.rsplit("/", 1)[0] + "/" + database
    done = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"nodes: psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def fresh_database(server_url, name):
    database = f"tcly_bench_{name}_{os.getpid()}"
    psql(server_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    psql(server_url, f"CREATE DATABASE {database}")
    return server_url.rsplit("/", 1)[0] + "/" + database


def emit(record):
    print(json.dumps(record), flush=True)
    print("    " + json.dumps(record), file=sys.stderr)


class Cluster:
    """Nodes of one database, sharing origins under one work folder."""

    def __init__(self, tcly, raw, name, database, serve_args, inputs=("clip.mp4",)):
        self.tcly, self.raw, self.name, self.database, self.serve_args = tcly, raw, name, database, serve_args
        self.work = tempfile.mkdtemp(prefix=f"tcly-bench-nodes-{name}-")
        self.shared_in = os.path.join(self.work, "shared", "in")
        self.shared_out = os.path.join(self.work, "shared", "out")
        os.makedirs(self.shared_in)
        os.makedirs(self.shared_out)
        for path in inputs:
            open(os.path.join(self.shared_in, path), "w").close()
        self.nodes = {}

    def start(self, index):
        data = os.path.join(self.work, f"node{index}")
        os.makedirs(data, mode=0o700, exist_ok=True)
        # Every node needs the key of the first one that used the database.
        mine = os.path.join(data, "secrets.key")
        for other in self.nodes:
            first_key = os.path.join(self.work, f"node{other}", "secrets.key")
            if os.path.exists(first_key) and not os.path.exists(mine):
                shutil.copy(first_key, mine)
                os.chmod(mine, 0o600)
        port = free_port()
        args = [self.tcly, "serve", "--store", self.database, "--node", f"n{index}", "--data", data,
                "--listen", f"127.0.0.1:{port}", "--origin", f"ori_shared_in={self.shared_in}",
                "--origin", f"ori_shared_out={self.shared_out}"] + self.serve_args
        log = open(os.path.join(self.raw, f"{self.name}-n{index}.log"), "w")
        env = dict(os.environ, TRANSCODELY_API_KEY=API_KEY, TRANSCODELY_ORG_ID=ORG)
        print(f"==> ({self.name}) tcly serve --node n{index} {' '.join(self.serve_args)}", file=sys.stderr)
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"nodes: ({self.name}) node n{index} did not start; log: {log.name}")
            time.sleep(0.05)
        self.nodes[index] = (process, base, log)
        return base

    def base(self, index):
        return self.nodes[index][1]

    def kill(self, index, sig=signal.SIGKILL):
        process = self.nodes[index][0]
        process.send_signal(sig)
        process.wait()

    def stop(self):
        for process, _, log in self.nodes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def sql(self, query):
        return psql(self.database, query)


def call(base, method, body):
    request = urllib.request.Request(f"{base}/transcodely.v1.{method}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}",
                                              "X-Organization-ID": ORG})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def create(base, path="clip.mp4", key=None):
    body = {"input_origin_id": "ori_shared_in", "input_path": path, "output_origin_id": "ori_shared_out",
            "outputs": [{"type": "mp4", "video": [{"codec": "h264", "resolution": "720p"}]}]}
    if key:
        body["idempotency_key"] = key
    return call(base, "JobService/Create", body)["job"]


def simulate(duration, workers, tier="unlimited", extra=()):
    return ["--encoder", "simulate", "--simulate", f"probe=0,encode={duration}", "--workers", str(workers),
            "--tier", tier] + list(extra)


def part_a(tcly, server_url, raw):
    for n in (1, 2, 3):
        jobs = n * WORKERS * ROUNDS
        database = fresh_database(server_url, f"a{n}")
        inputs = [f"clip-{i}.mp4" for i in range(jobs)]
        cluster = Cluster(tcly, raw, f"a{n}", database, simulate(DURATION, WORKERS), inputs)
        try:
            for index in range(1, n + 1):
                cluster.start(index)
            listing = os.path.join(cluster.work, "list.txt")
            with open(listing, "w") as f:
                f.writelines(f"{path}\n" for path in inputs)
            script = os.path.join(cluster.work, "t.tcly")
            with open(script, "w") as f:
                f.write(f"batch --from {listing} --name t --input-origin ori_shared_in --output-origin ori_shared_out --output mp4:h264:720p --concurrency 20\n")
                f.write("wait --batch t --timeout 10m\n")
            wall, _ = tcly_shell.tcly_run(tcly, cluster.base(1), API_KEY, ORG, script, raw, f"a{n}", "nodes",
                                          timeout=900, note=f"  [{jobs} jobs]")
            completed = int(cluster.sql("SELECT count(*) FROM jobs WHERE status = 'completed'"))
            span = float(cluster.sql("SELECT (max(completed_at) - min(created_at)) / 1e6 FROM jobs"))
            per_node = cluster.sql("SELECT string_agg(n, ',') FROM (SELECT node || '=' || count(*) AS n FROM job_attempts "
                                   "WHERE outcome = 'completed' GROUP BY node ORDER BY node) AS t")
            ideal = n * WORKERS / DURATION
            rate = completed / span
            emit({"part": "a", "nodes": n, "workers": WORKERS, "duration": DURATION, "jobs": jobs, "completed": completed,
                  "span_seconds": round(span, 3), "jobs_per_second": round(rate, 2), "ideal": ideal,
                  "ratio": round(rate / ideal, 3), "tcly_run_seconds": round(wall, 2), "per_node": per_node})
        finally:
            cluster.stop()
            psql(server_url, f"DROP DATABASE IF EXISTS {database.rsplit('/', 1)[1]} WITH (FORCE)")


def part_b(tcly, server_url, raw):
    database = fresh_database(server_url, "b")
    cluster = Cluster(tcly, raw, "b", database, simulate(0.02, WORKERS))
    try:
        for index in (1, 2, 3):
            cluster.start(index)
        latencies = []
        for i in range(LATENCY_JOBS):
            job = create(cluster.base(1 + i % 3), key=f"lat-{i}")
            while True:
                state = call(cluster.base(1), "JobService/Get", {"id": job["id"]})["job"]
                if state["status"] in ("completed", "failed", "canceled"):
                    break
                time.sleep(0.01)
        rows = cluster.sql("SELECT (started_at - created_at) / 1000.0 FROM jobs ORDER BY created_at").split("\n")
        latencies = sorted(float(r) for r in rows if r)
        p50 = statistics.median(latencies)
        p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
        emit({"part": "b", "nodes": 3, "jobs": len(latencies), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
              "max_ms": round(latencies[-1], 1), "target_p95_ms": 100})
    finally:
        cluster.stop()
        psql(server_url, f"DROP DATABASE IF EXISTS {database.rsplit('/', 1)[1]} WITH (FORCE)")


def wrk_create(base, name, raw):
    body = json.dumps({"input_origin_id": "ori_shared_in", "input_path": "clip.mp4", "output_origin_id": "ori_shared_out",
                       "idempotency_key": "%s", "outputs": [{"type": "mp4", "video": [{"codec": "h264", "resolution": "720p"}]}]})
    args = ["wrk", "-t2", "-c64", f"-d{CREATE_SECONDS}s", "--latency", "-s", os.path.join(ROOT, "scripts/bench/server/create_new.lua"),
            f"{base}/transcodely.v1.JobService/Create", "--", API_KEY, ORG, body, f"{name}-{os.getpid()}"]
    print(f"==> ({name}) wrk -t2 -c64 -d{CREATE_SECONDS}s create_new.lua", file=sys.stderr)
    done = subprocess.run(args, capture_output=True, text=True)
    with open(os.path.join(raw, f"{name}.txt"), "w") as out:
        out.write(done.stdout + done.stderr)
    match = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    errors = re.search(r"lua: .*", done.stdout)
    p99 = re.search(r"99%\s+([\d.]+\w+)", done.stdout)
    if done.returncode != 0 or not match:
        raise SystemExit(f"nodes: wrk failed for {name}:\n{done.stdout}{done.stderr}")
    return float(match.group(1)), (p99.group(1) if p99 else None), (errors.group(0) if errors else "")


def part_c(tcly, server_url, raw):
    # The workers are kept busy elsewhere: creates are what is measured (a long encode, 1 worker).
    database = fresh_database(server_url, "c")
    cluster = Cluster(tcly, raw, "c", database, simulate(3600, 1))
    try:
        cluster.start(1)
        postgres, postgres_p99, postgres_lua = wrk_create(cluster.base(1), "c-postgres", raw)
    finally:
        cluster.stop()
        psql(server_url, f"DROP DATABASE IF EXISTS {database.rsplit('/', 1)[1]} WITH (FORCE)")
    data = tempfile.mkdtemp(prefix="tcly-bench-nodes-sqlite-")
    os.makedirs(os.path.join(data, "in"))
    open(os.path.join(data, "in", "clip.mp4"), "w").close()
    os.makedirs(os.path.join(data, "out"))
    port = free_port()
    log = open(os.path.join(raw, "c-sqlite-server.log"), "w")
    env = dict(os.environ, TRANSCODELY_API_KEY=API_KEY, TRANSCODELY_ORG_ID=ORG)
    process = subprocess.Popen([tcly, "serve", "--data", os.path.join(data, "engine"), "--listen", f"127.0.0.1:{port}",
                                "--origin", f"ori_shared_in={data}/in", "--origin", f"ori_shared_out={data}/out"]
                               + simulate(3600, 1), stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        sqlite, sqlite_p99, sqlite_lua = wrk_create(base, "c-sqlite", raw)
    finally:
        process.terminate()
        process.wait()
        log.close()
        shutil.rmtree(data, ignore_errors=True)
    emit({"part": "c", "postgres_creates_per_second": postgres, "postgres_p99": postgres_p99, "postgres_checks": postgres_lua,
          "sqlite_creates_per_second": sqlite, "sqlite_p99": sqlite_p99, "sqlite_checks": sqlite_lua,
          "ratio_postgres_to_sqlite": round(postgres / sqlite, 3)})


def part_d(tcly, server_url, raw):
    database = fresh_database(server_url, "d")
    cluster = Cluster(tcly, raw, "d", database, simulate(120, WORKERS, extra=["--lease", str(LEASE), "--heartbeat", str(HEARTBEAT)]))
    try:
        cluster.start(2)
        ids = [create(cluster.base(2), key=f"long-{i}")["id"] for i in range(WORKERS)]
        deadline = time.monotonic() + 30
        while int(cluster.sql("SELECT count(*) FROM jobs WHERE lease_node = 'n2'")) < WORKERS:
            if time.monotonic() > deadline:
                raise SystemExit("nodes: (d) node 2 never took its jobs")
            time.sleep(0.02)
        cluster.start(1)
        cluster.start(3)
        killed = time.time()
        cluster.kill(2)
        deadline = time.monotonic() + 120
        while True:
            moved = int(cluster.sql("SELECT count(*) FROM jobs WHERE attempt = 2 AND lease_node IN ('n1', 'n3')"))
            if moved == WORKERS:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"nodes: (d) only {moved} of {WORKERS} jobs ran again within 120 s")
            time.sleep(0.02)
        seen = time.time()
        # The engine's own stamp of the last new claim, against the kill.
        last_claim = float(cluster.sql("SELECT max(started_at) / 1e6 FROM job_attempts WHERE number = 2"))
        emit({"part": "d", "lease_seconds": LEASE, "heartbeat_seconds": HEARTBEAT, "jobs": len(ids),
              "kill_to_all_running_seconds": round(last_claim - killed, 2), "observed_seconds": round(seen - killed, 2)})
    finally:
        cluster.stop()
        psql(server_url, f"DROP DATABASE IF EXISTS {database.rsplit('/', 1)[1]} WITH (FORCE)")


def limited(base):
    with urllib.request.urlopen(base + "/metrics", timeout=10) as answer:
        text = answer.read().decode()
    match = re.search(r"^tcly_rate_limited_total (\d+)", text, re.M)
    return int(match.group(1)) if match else 0


def part_e(tcly, server_url, raw):
    database = fresh_database(server_url, "e")
    inputs = [f"clip-{i}.mp4" for i in range(RATE_ITEMS)]
    cluster = Cluster(tcly, raw, "e", database, simulate(3600, 1, tier="standard"), inputs)
    try:
        for index in (1, 2, 3):
            cluster.start(index)
        shells = []
        started = time.perf_counter()
        for index in (1, 2, 3):
            listing = os.path.join(cluster.work, f"list{index}.txt")
            with open(listing, "w") as f:
                f.writelines(f"{path}\n" for path in inputs)
            script = os.path.join(cluster.work, f"e{index}.tcly")
            with open(script, "w") as f:
                f.write(f"batch --from {listing} --name e{index} --key 'e{index}-{{index}}' --input-origin ori_shared_in "
                        "--output-origin ori_shared_out --output mp4:h264:720p --concurrency 20\n")
            state = tempfile.mkdtemp(prefix="tcly-bench-state-")
            env = dict(os.environ, TRANSCODELY_API_URL=cluster.base(index), TRANSCODELY_API_KEY=API_KEY,
                       TRANSCODELY_ORG_ID=ORG, XDG_STATE_HOME=state, NO_COLOR="1")
            out = open(os.path.join(raw, f"e{index}.out"), "w")
            shells.append((subprocess.Popen([tcly, "run", script], env=env, stdout=out, stderr=subprocess.STDOUT), out, state))
        print(f"==> (e) 3 x tcly run: {RATE_ITEMS} items each through nodes 1, 2, 3 at once", file=sys.stderr)
        codes = []
        for process, out, state in shells:
            codes.append(process.wait(timeout=900))
            out.close()
            shutil.rmtree(state, ignore_errors=True)
        wall = time.perf_counter() - started
        if any(codes):
            raise SystemExit(f"nodes: (e) a shell failed: exit codes {codes}; see {raw}/e*.out")
        created = int(cluster.sql("SELECT count(*) FROM jobs"))
        refusals = sum(limited(cluster.base(index)) for index in (1, 2, 3))
        rate = (created - 200) / wall
        emit({"part": "e", "nodes": 3, "items": created, "wall_seconds": round(wall, 2), "rate_per_second": round(rate, 1),
              "tier_rate": 100, "ratio": round(rate / 100, 3), "server_429s": refusals})
    finally:
        cluster.stop()
        psql(server_url, f"DROP DATABASE IF EXISTS {database.rsplit('/', 1)[1]} WITH (FORCE)")


def part_f(tcly, server_url, raw):
    database = fresh_database(server_url, "f")
    cluster = Cluster(tcly, raw, "f", database, simulate(3600, 1, tier="standard"))
    try:
        for index in (1, 2, 3):
            cluster.start(index)
        body = json.dumps({"input_origin_id": "ori_shared_in", "input_path": "clip.mp4", "output_origin_id": "ori_shared_out",
                           "idempotency_key": "%s", "outputs": [{"type": "mp4", "video": [{"codec": "h264", "resolution": "720p"}]}]})
        runs = []
        print(f"==> (f) 3 x wrk -t1 -c16 -d{CREATE_SECONDS}s create_new.lua, one per node, at once", file=sys.stderr)
        for index in (1, 2, 3):
            args = ["wrk", "-t1", "-c16", f"-d{CREATE_SECONDS}s", "-s", os.path.join(ROOT, "scripts/bench/server/create_new.lua"),
                    f"{cluster.base(index)}/transcodely.v1.JobService/Create", "--", API_KEY, ORG, body, f"f{index}-{os.getpid()}"]
            runs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        outputs = [run.communicate()[0] for run in runs]
        for index, text in enumerate(outputs, 1):
            with open(os.path.join(raw, f"f-wrk{index}.txt"), "w") as out:
                out.write(text)
        answered = refused = 0
        for text in outputs:
            match = re.search(r"lua: responses=(\d+) non2xx=(\d+)", text)
            if not match:
                raise SystemExit(f"nodes: (f) no wrk summary in:\n{text}")
            answered += int(match.group(1))
            refused += int(match.group(2))
        created = int(cluster.sql("SELECT count(*) FROM jobs"))
        rate = (created - 200) / CREATE_SECONDS
        emit({"part": "f", "nodes": 3, "seconds": CREATE_SECONDS, "answers": answered, "refused_429": refused,
              "admitted": answered - refused, "jobs_stored": created, "admitted_rate_per_second": round(rate, 1),
              "tier_rate": 100, "ratio": round(rate / 100, 3)})
    finally:
        cluster.stop()
        psql(server_url, f"DROP DATABASE IF EXISTS {database.rsplit('/', 1)[1]} WITH (FORCE)")


def part_g(tcly, server_url, raw):
    database = fresh_database(server_url, "g")
    cluster = Cluster(tcly, raw, "g", database, simulate(600, 1))
    try:
        cluster.start(1)
        cluster.start(2)
        took = []
        for i in range(CANCELS):
            job = create(cluster.base(1 + i % 2), key=f"cancel-{i}")
            deadline = time.monotonic() + 30
            while True:
                node = cluster.sql(f"SELECT lease_node FROM jobs WHERE id = '{job['id']}' AND status = 'processing'")
                if node:
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"nodes: (g) job {job['id']} never ran")
                time.sleep(0.005)
            other = 2 if node == "n1" else 1
            call(cluster.base(other), "JobService/Cancel", {"id": job["id"]})
            asked = time.monotonic()
            while cluster.sql(f"SELECT count(*) FROM job_attempts WHERE job_id = '{job['id']}' AND lines <> '[]'") != "1":
                if time.monotonic() - asked > 30:
                    raise SystemExit(f"nodes: (g) the encode of {job['id']} on {node} never stopped")
                time.sleep(0.005)
            took.append((time.monotonic() - asked) * 1000)
        took.sort()
        emit({"part": "g", "nodes": 2, "cancels": len(took), "p50_ms": round(statistics.median(took), 1),
              "p95_ms": round(took[max(0, int(round(0.95 * len(took))) - 1)], 1), "max_ms": round(took[-1], 1), "target_ms": 2000})
    finally:
        cluster.stop()
        psql(server_url, f"DROP DATABASE IF EXISTS {database.rsplit('/', 1)[1]} WITH (FORCE)")


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    tcly, server_url, raw = sys.argv[1:]
    parts = os.environ.get("PARTS", "a,b,c,d,e,f,g").split(",")
    for name, part in (("a", part_a), ("b", part_b), ("c", part_c), ("d", part_d), ("e", part_e), ("f", part_f), ("g", part_g)):
        if name in parts:
            part(tcly, server_url, raw)


if __name__ == "__main__":
    main()
