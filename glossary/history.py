"""Undo and redo of glossary changes, for ``GlossaryStore`` (mixed into it).

Undo is the store's before-image log: every operation (one add, update, delete, bulk
change or transaction) records in ``changes`` each concept as it was before, and undo
writes those images back, then deletes the operation. The log lives in the database, so
undo works across restarts.

Redo keeps, in memory, the images undo replaced (the concepts as the operation had left
them). It is offered only while nothing else has changed the glossary since: each redo
entry remembers the newest operation id after its undo, and any new operation, made here
or through another connection (an import running on a worker thread), moves that id on,
which makes the entries stale and they are dropped. A redo is itself an operation, with
its own before-images, so it can be undone again. Redo does not survive a restart (a
fresh store has nothing to redo).
"""

from __future__ import annotations

from glossary.model import Concept
from glossary.rows import from_json, load_concepts, to_json


class UndoHistory:
    """Methods of ``GlossaryStore``; they use its connection, transactions and writers."""

    def _redo_stack(self) -> list[tuple[int | None, list[tuple[int, str | None]]]]:
        if "_redo" not in self.__dict__:
            self._redo: list[tuple[int | None, list[tuple[int, str | None]]]] = []
        return self._redo

    def _newest_op(self) -> int | None:
        return self._db.execute("SELECT MAX(id) FROM operations").fetchone()[0]

    def _restore(self, db, images: list[Concept]) -> None:
        for c in images:
            db.execute("INSERT OR IGNORE INTO concepts(id) VALUES (?)", (c.id,))
            self._write(c, relations=False)
        for c in images:  # after every concept exists again: relations may point at each other
            self._write_relations(c)

    def _remove(self, db, concept_id: int) -> None:
        db.execute("DELETE FROM concepts WHERE id=?", (concept_id,))
        db.execute("DELETE FROM concepts_fts WHERE rowid=?", (concept_id,))

    def undo(self) -> bool:
        """Revert the last operation (one add, update, delete, bulk change or transaction)."""
        op_id = self._newest_op()
        if op_id is None:
            return False
        with self.transaction() as db:
            self._undoing = True
            try:
                changes = db.execute("SELECT concept_id, before FROM changes WHERE op_id=?", (op_id,)).fetchall()
                now = {c.id: c for c in load_concepts(db, [cid for cid, _ in changes])}
                after = [(cid, to_json(now[cid]) if cid in now else None) for cid, _ in changes]
                restore: list[Concept] = []
                for cid, before in changes:
                    self._touched.add(cid)
                    if before is None:
                        self._remove(db, cid)
                    else:
                        restore.append(from_json(before))
                self._restore(db, restore)
                db.execute("DELETE FROM operations WHERE id=?", (op_id,))
            finally:
                self._undoing = False
        self._redo_stack().append((self._newest_op(), after))
        return True

    def can_redo(self) -> bool:
        """Whether ``redo`` has something to bring back (nothing changed the glossary since the undo)."""
        stack = self._redo_stack()
        if stack and stack[-1][0] != self._newest_op():
            stack.clear()  # the glossary changed since: those images would overwrite newer work
        return bool(stack)

    def redo(self) -> bool:
        """Make again the change the last undo reverted; False when there is none (or it is stale)."""
        if not self.can_redo():
            return False
        _mark, after = self._redo_stack().pop()
        with self.transaction() as db:
            current = {c.id: c for c in load_concepts(db, [cid for cid, _ in after])}
            restore: list[Concept] = []
            for cid, image in after:
                self._record(cid, current.get(cid))  # its own before-image: a redo can be undone
                if image is None:
                    self._remove(db, cid)
                else:
                    restore.append(from_json(image))
            self._restore(db, restore)
        return True
