"""`tcly run SCRIPT` as a user runs it, for the benchmarks that time the shell (batch/shell_path.py,
nodes/nodes.py): a fresh state directory, the API named by the environment, no colour."""
import os
import shutil
import subprocess
import sys
import tempfile
import time


def tcly_run(tcly, base, key, org, script, raw, name, who, timeout=600, note=""):
    """Runs `tcly run SCRIPT` against the API at BASE with KEY and ORG; keeps its output in
    RAW/NAME.out; returns (wall seconds from spawn to exit, stdout). A failed run ends the
    benchmark (WHO names it in the message)."""
    state = tempfile.mkdtemp(prefix="tcly-bench-state-")
    env = dict(os.environ, TRANSCODELY_API_URL=base, TRANSCODELY_API_KEY=key,
               TRANSCODELY_ORG_ID=org, XDG_STATE_HOME=state, NO_COLOR="1")
    print(f"==> ({name}) tcly run {os.path.basename(script)}{note}", file=sys.stderr)
    start = time.perf_counter()
    done = subprocess.run([tcly, "run", script], env=env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    shutil.rmtree(state, ignore_errors=True)
    with open(os.path.join(raw, f"{name}.out"), "w") as out:
        out.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"{who}: ({name}) tcly run failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return wall, done.stdout
