"""The reviewed training set: the Q&A pairs the person accepts, rejects or edits before
LoRA training, kept encrypted in the data directory.

Pairs can hold patient or client text (documents supplied for context, edits), so the
set lives only in ``training/pairs.jsonl.enc`` under the data directory, written with
``desktop.storage.appdata.write_private`` (AES-256-GCM, atomic). ``export_jsonl`` writes a
plain JSONL copy where the person chooses; ``import_jsonl`` reads one back.

Each pair is ``{"id", "messages": [{"role": "user", ...}, {"role": "assistant", ...}],
"concept_id", "kind", "lang", "status"}`` with status "pending", "accepted" or
"rejected" (and ``"edited": true`` once the person changed it). The training page
reads ``accepted()``. Knows nothing of Qt or torch.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from desktop import paths
from desktop.storage import appdata
from desktop.errors import StorageError
from glossary import dataset
from glossary.errors import GlossaryImportError
from glossary.model import guess_language


def path() -> Path:
    """Where the reviewed set is kept (encrypted)."""
    return paths.home() / "training" / "pairs.jsonl.enc"


def normalized(pair: dict) -> dict:
    """A pair with every field of the contract, filled in where a file left one out."""
    messages = [{"role": m["role"], "content": m["content"]} for m in pair["messages"]]
    question = next((m["content"] for m in messages if m["role"] == "user"), messages[0]["content"])
    out = {
        "id": str(pair.get("id") or ""),
        "messages": messages,
        "concept_id": pair.get("concept_id"),
        "kind": str(pair.get("kind") or "imported"),
        "lang": str(pair.get("lang") or guess_language(question)),
        "status": pair.get("status") or "pending",
    }
    if not out["id"]:
        out["id"] = dataset.pair_id(str(out["concept_id"]), out["kind"], out["lang"], messages)
    if pair.get("edited"):
        out["edited"] = True
    return out


def _damaged(n: int) -> StorageError:
    return StorageError.of("The saved training set is damaged at line {n}; "
                           "import an exported copy or generate the pairs again.", n=n)


def load() -> list[dict]:
    """The reviewed set ([] before anything was generated)."""
    p = path()
    if not p.exists():
        return []
    raw = appdata.read_private(p)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _damaged(1) from exc
    pairs = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if dataset.check_pair(obj):
                raise ValueError(dataset.check_pair(obj))
            pairs.append(normalized(obj))
        except (ValueError, KeyError, TypeError, IndexError) as exc:  # JSONDecodeError is a ValueError
            raise _damaged(n) from exc
    return pairs


def save(pairs: Iterable[dict]) -> None:
    """Replace the reviewed set with ``pairs``, encrypted and atomically."""
    pairs = list(pairs)
    for n, p in enumerate(pairs, start=1):
        why = dataset.check_pair(p)
        if why:
            raise StorageError.of("Training pair {n} cannot be saved: {why}.", n=n, why=why)
    body = "".join(json.dumps(normalized(p), ensure_ascii=False) + "\n" for p in pairs)
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    appdata.write_private(target, body.encode("utf-8"))


def set_aside() -> Path | None:
    """Move an unreadable saved set out of the way (kept, never deleted); its new path."""
    p = path()
    if not p.exists():
        return None
    n = 1
    while (target := p.with_name(f"{p.name}.unreadable-{n}")).exists():
        n += 1
    try:
        p.rename(target)
    except OSError as exc:
        raise StorageError.of("The unreadable training set could not be moved aside ({reason}); "
                              "nothing was overwritten.", reason=exc.strerror or str(exc)) from exc
    return target


def accepted() -> list[dict]:
    """The pairs the person accepted: the only ones that train."""
    return [p for p in load() if p.get("status") == "accepted"]


def export_jsonl(path: str | os.PathLike, pairs: Iterable[dict]) -> int:
    """Write ``pairs`` to a plain JSONL file the person chose; the number written."""
    try:
        return dataset.write_jsonl((normalized(p) for p in pairs), path)
    except OSError as exc:
        raise StorageError.of("{name} could not be written ({reason}).", name=Path(path).name,
                              reason=exc.strerror or str(exc)) from exc


def import_jsonl(path: str | os.PathLike) -> list[dict]:
    """Pairs from a JSONL file (one ``{"messages": [...]}`` object a line); a malformed line
    raises ``GlossaryImportError`` naming its line number, and nothing is imported."""
    pairs = [normalized(p) for p in dataset.read_jsonl(path)]
    if not pairs:
        raise GlossaryImportError.of("{name} holds no training pairs.", name=Path(path).name)
    return pairs


def combine(existing: Iterable[dict], incoming: Iterable[dict]) -> list[dict]:
    """``existing`` with ``incoming`` added; a pair with the same id is replaced by the incoming one."""
    incoming = list(incoming)
    by_id = {p["id"]: p for p in incoming}
    out = [by_id.pop(p["id"], p) for p in existing]
    for p in incoming:
        if p["id"] in by_id:
            out.append(by_id.pop(p["id"]))
    return out
