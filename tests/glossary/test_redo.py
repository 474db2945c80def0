"""Redo: what undo reverted comes back, itself undoable; any newer change, here or through
another connection, makes it stale rather than overwriting newer work."""

from __future__ import annotations

from glossary.model import Concept, Term
from glossary.store import GlossaryStore


def _c(text: str, definition: str = "") -> Concept:
    return Concept(terms=[Term(text)], definitions={"en": definition} if definition else {})


def test_undo_then_redo_of_an_edit_a_delete_and_an_add(tmp_path):
    store = GlossaryStore(tmp_path / "g.db")
    fm = store.add_concept(_c("force majeure", "An unforeseeable event."))
    c = store.get_concept(fm)
    c.definitions["en"] = "An event beyond the parties' control."
    store.update_concept(c)
    assert store.undo() and store.get_concept(fm).definitions["en"] == "An unforeseeable event."
    assert store.redo() and store.get_concept(fm).definitions["en"] == "An event beyond the parties' control."
    assert store.search("beyond the parties")[0].id == fm  # the search index follows
    assert store.undo() and store.get_concept(fm).definitions["en"] == "An unforeseeable event."  # a redo undoes

    store.redo()
    store.delete_concept(fm)
    assert store.undo() and store.count() == 1
    assert store.redo() and store.count() == 0 and not store.search("force majeure")
    assert not store.redo()  # nothing left to redo

    store.undo()  # the delete again: the concept is back
    est = store.add_concept(_c("estoppel"))
    assert store.undo() and store.count() == 1
    assert store.redo() and [x.label() for x in store.concepts()] == ["force majeure", "estoppel"]
    assert store.get_concept(est).label() == "estoppel"
    store.close()


def test_a_newer_change_makes_redo_stale_even_through_another_connection(tmp_path):
    store = GlossaryStore(tmp_path / "g.db")
    fm = store.add_concept(_c("force majeure"))
    store.add_concept(_c("estoppel"))
    store.undo()
    assert store.can_redo()
    store.add_concept(_c("laches"))  # new work after the undo
    assert not store.can_redo() and not store.redo()
    assert sorted(x.label() for x in store.concepts()) == ["force majeure", "laches"]

    store.set_status([fm], "approved")
    store.undo()
    other = GlossaryStore(tmp_path / "g.db")  # an import on a worker thread has its own connection
    other.add_concept(_c("res judicata"))
    other.close()
    assert not store.redo() and store.get_concept(fm).status.value == "draft"
    store.close()
