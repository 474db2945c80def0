"""kill -9 at random moments: the database stays sound and every conversation is whole or absent.

A child process saves conversations (each with its four messages in one transaction),
regenerates the previous one's answer (delete and add, one transaction) and rewrites a
file atomically, in a loop, reporting each commit. It is killed with SIGKILL at
random moments, twenty times. Afterwards the database must open and pass its check,
every conversation must hold exactly its four messages, every reported commit must be
there, and the file must be one complete version.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop import db
from desktop.conversations import ConversationStore

REPO = Path(__file__).resolve().parents[2]
RUNS = 20

CHILD = r"""
import sys
from desktop import db
from desktop.atomic import write_text_atomic
from desktop.conversations import ConversationStore

path, key, out, run = sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3], int(sys.argv[4])
store = ConversationStore(db.connect(path, key))
print("ready", flush=True)
prev = None
i = 0
while True:
    with store.transaction():
        cid = store.create(f"run {run} conversation {i}")
        ids = [store.add_message(cid, ("user", "assistant")[j % 2], f"{run}.{i}.{j} " + "words " * 40) for j in range(4)]
    print(f"saved {cid}", flush=True)
    if prev is not None:
        with store.transaction():
            store.delete_messages_after(prev[0], prev[1][2])
            store.add_message(prev[0], "assistant", f"regenerated {run}.{i} " + "words " * 40)
    prev = (cid, ids)
    write_text_atomic(out, f"version {run}.{i}\n" + f"line of version {run}.{i}\n" * 2000 + "end\n")
    i += 1
"""


@pytest.mark.slow
def test_sigkill_never_leaves_half_a_conversation(tmp_path: Path, home: Path, key: bytes) -> None:
    path, out = home / "termlens.db", tmp_path / "state.txt"
    rng = random.Random(1234)
    committed: set[int] = set()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for run in range(RUNS):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), key.hex(), str(out), str(run)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read() if proc.stderr else line
        time.sleep(rng.uniform(0.0, 0.2))
        os.kill(proc.pid, signal.SIGKILL)
        rest, err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, err
        committed |= {int(x.split()[1]) for x in (line + rest).splitlines() if x.startswith("saved ")}

    assert len(committed) >= RUNS  # the child did get work done between kills
    conn = db.connect(path, key)
    assert db.integrity_check(conn)
    store = ConversationStore(conn)
    found = {c.id: c for c in store.list()}
    assert committed <= set(found)  # a reported commit survives the kill
    for cid in found:
        roles = [m.role for m in store.messages(cid)]
        assert roles == ["user", "assistant", "user", "assistant"], (cid, roles)
    conn.close()

    text = out.read_text()
    first = text.split("\n", 1)[0]
    version = first.removeprefix("version ")
    assert text == f"version {version}\n" + f"line of version {version}\n" * 2000 + "end\n"
