"""The SQLite glossary store: migrations, transactions, undo, search."""

from __future__ import annotations

import sqlite3

import pytest

from glossary.errors import GlossaryError
from glossary.model import Concept, Status, Term, TermType
from glossary.store import MIGRATIONS, GlossaryStore, applied_migrations, migrate


def af() -> Concept:
    return Concept(
        terms=[
            Term("心房颤动", "zh"),
            Term("房颤", "zh", TermType.SYNONYM),
            Term("atrial fibrillation"),
            Term("AF", type=TermType.ABBREVIATION, case_sensitive=True),
        ],
        definitions={"en": "An irregular, often rapid heart rhythm.", "zh": "一种常见的心律失常。"},
        subject_fields=["cardiology"],
        source="ESC 2020",
    )


def cell() -> Concept:
    return Concept(terms=[Term("cell")], definitions={"en": "The basic unit of living things."}, subject_fields=["biology"])


@pytest.fixture
def store(tmp_path):
    s = GlossaryStore(tmp_path / "g.db")
    yield s
    s.close()


def test_round_trip_keeps_every_field(store):
    cid = store.add_concept(af())
    got = store.get_concept(cid)
    assert [t.text for t in got.terms] == ["心房颤动", "房颤", "atrial fibrillation", "AF"]
    assert got.terms[3].case_sensitive and got.terms[3].type is TermType.ABBREVIATION
    assert got.definitions["zh"] == "一种常见的心律失常。"
    assert got.subject_fields == ["cardiology"] and got.source == "ESC 2020"
    assert got.created_at and got.status is Status.DRAFT
    assert store.count() == 1 and store.subject_fields() == ["cardiology"]


def test_fresh_database_has_every_migration_and_wal(tmp_path):
    s = GlossaryStore(tmp_path / "g.db")
    assert applied_migrations(s._db) == [m.__name__ for m in MIGRATIONS]
    assert s._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    s.close()


def _old_database(path, k: int) -> None:
    """A glossary as a TermLens with only the first ``k`` migrations wrote it: one concept."""
    db = sqlite3.connect(path, isolation_level=None)
    migrate(db, upto=k)
    db.execute("INSERT INTO concepts(id, note, status) VALUES (7, 'old note', 'approved')")
    db.execute("INSERT INTO terms(concept_id, text, lang, type) VALUES (7, '高血压', 'zh', 'preferred')")
    db.execute("INSERT INTO definitions(concept_id, lang, text) VALUES (7, 'zh', '血压持续升高')")
    db.execute("INSERT INTO concept_fields(concept_id, position, field) VALUES (7, 0, 'cardiology')")
    if "m003_search" in applied_migrations(db):  # that version kept its search index current
        db.execute("INSERT INTO concepts_fts(rowid, terms, definitions, note) VALUES (7, '高血压', '血压持续升高', 'old note')")
    db.close()


@pytest.mark.parametrize("k", range(1, len(MIGRATIONS)))
def test_data_survives_migration_from_every_earlier_version(tmp_path, k):
    path = tmp_path / "old.db"
    _old_database(path, k)
    with GlossaryStore(path) as s:
        assert applied_migrations(s._db) == [m.__name__ for m in MIGRATIONS]
        c = s.get_concept(7)
        assert c.label() == "高血压" and c.status is Status.APPROVED and c.note == "old note"
        assert c.terms[0].status is None and c.terms[0].match_mode is None  # unset: derived as before
        assert c.terms[0].effective_status.value == "preferred"
        assert [x.id for x in s.search("高血压")] == [7]
        assert [x.id for x in s.search("血压持续")] == [7]
        assert [x.id for x in s.concepts(domain="cardiology")] == [7]
        new = s.add_concept(cell())
        assert new > 7  # ids of the old file are not reused
        s.update_concept(c)
        assert s.undo() and s.version() >= 2


@pytest.mark.parametrize("content", [b"", None])
def test_migrates_from_an_empty_database(tmp_path, content):
    path = tmp_path / "empty.db"
    if content is not None:
        path.write_bytes(content)  # a zero-byte file, as a copy that failed half-way leaves
    with GlossaryStore(path) as s:
        assert applied_migrations(s._db) == [m.__name__ for m in MIGRATIONS]
        assert s.count() == 0 and s.version() == 0
        cid = s.add_concept(af())
    with GlossaryStore(path) as s:  # reopening runs nothing again
        assert s.get_concept(cid).label() == "心房颤动"


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    _old_database(path, len(MIGRATIONS) - 1)

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("database or disk is full")

    broken.__name__ = "m999_broken"
    monkeypatch.setattr("glossary.store.MIGRATIONS", [*MIGRATIONS[:-1], broken])
    with pytest.raises(GlossaryError, match="disk is full"):
        GlossaryStore(path)
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM concepts").fetchone()[0] == 1
    db.close()


def test_a_file_that_is_not_a_glossary_is_one_sentence(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(GlossaryError, match="damaged or is not a TermLens glossary"):
        GlossaryStore(path)
    assert path.read_bytes().startswith(b"these are my notes")


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.db"
    GlossaryStore(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_migrations VALUES ('m999_future', '')")
    db.commit()
    db.close()
    with pytest.raises(GlossaryError):
        GlossaryStore(path)


def test_memory_store():
    s = GlossaryStore(":memory:")
    s.add_concept(cell())
    assert s.count() == 1


def test_transaction_rolls_back_everything(store):
    store.add_concept(cell())
    v = store.version()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_concept(af())
            with store.transaction():  # nested: joins the outer one
                store.set_status([1], Status.APPROVED)
            raise RuntimeError("boom")
    assert store.count() == 1 and store.get_concept(1).status is Status.DRAFT
    assert store.version() == v
    assert store.search("房颤") == []


def test_nested_transaction_commits_once_and_is_one_undo_step(store):
    seen: list[list[int]] = []
    store.changed.append(seen.append)
    v = store.version()
    with store.transaction():
        a = store.add_concept(af())
        with store.transaction():
            b = store.add_concept(cell())
    assert store.version() == v + 1 and seen == [[a, b]]
    assert store.undo()
    assert store.count() == 0


def test_concept_needs_a_term(store):
    with pytest.raises(GlossaryError):
        store.add_concept(Concept(terms=[Term("  ")]))
    with pytest.raises(GlossaryError):
        store.get_concept(42)


def test_undo_update(store):
    cid = store.add_concept(af())
    c = store.get_concept(cid)
    c.terms = [Term("AFib")]
    c.definitions = {"en": "changed"}
    store.update_concept(c)
    assert store.get_concept(cid).label() == "AFib"
    assert store.undo()
    back = store.get_concept(cid)
    assert back.label() == "心房颤动" and back.definitions["en"].startswith("An irregular")
    assert [x.id for x in store.search("房颤")] == [cid]
    assert store.search("AFib") == []


def test_undo_delete_restores_relations_both_ways(store):
    a = store.add_concept(af())
    b = store.add_concept(Concept(terms=[Term("anticoagulant")], related=[a]))
    c = store.get_concept(a)
    c.related = [b]
    store.update_concept(c)
    store.delete_concept(a)
    assert store.get_concept(b).related == [] and store.count() == 1
    assert store.undo()
    assert store.get_concept(a).related == [b]
    assert store.get_concept(b).related == [a]
    assert store.get_concept(a).terms[0].text == "心房颤动"


def test_undo_bulk_status_is_one_step(store):
    ids = [store.add_concept(cell()) for _ in range(5)]
    store.set_status(ids, "approved")
    assert all(c.status is Status.APPROVED for c in store.concepts())
    assert len(store.concepts(status="approved")) == 5
    assert store.undo()
    assert all(c.status is Status.DRAFT for c in store.concepts())
    assert store.count() == 5  # the adds are earlier steps
    while store.undo():
        pass
    assert store.count() == 0 and not store.undo()


def test_ids_are_not_reused_after_undo(store):
    a = store.add_concept(cell())
    store.undo()
    assert store.add_concept(cell()) != a


def test_version_bumps_on_every_change(store):
    v0 = store.version()
    cid = store.add_concept(cell())
    store.set_status([cid], Status.APPROVED)
    store.undo()
    assert store.version() == v0 + 3
    store.set_status([cid], Status.DRAFT)  # no change: no bump
    assert store.version() == v0 + 3


def test_concepts_filter_and_paging(store):
    store.add_concept(af())
    for _ in range(3):
        store.add_concept(cell())
    assert [c.label() for c in store.concepts(domain="cardiology")] == ["心房颤动"]
    assert len(store.concepts(domain="biology", limit=2)) == 2
    assert [c.id for c in store.concepts(limit=2, offset=2)] == [3, 4]
    assert [c.id for c in store.iter_concepts(batch=2)] == [1, 2, 3, 4]
    assert store.subject_fields() == ["biology", "cardiology"]


def test_search_chinese_and_english(store):
    a = store.add_concept(af())
    c = store.add_concept(cell())
    d = store.add_concept(Concept(terms=[Term("cell membrane")], definitions={"en": "Encloses a cell."}))
    assert [x.id for x in store.search("房颤")] == [a]  # two characters: LIKE
    assert [x.id for x in store.search("心律失常")] == [a]  # in a definition: trigram index
    assert [x.id for x in store.search("Fibrillation")] == [a]
    assert [x.id for x in store.search("AF")] == [a]
    assert [x.id for x in store.search("cell")][:2] == [c, d]  # the exact term first
    assert [x.id for x in store.search("living unit")] == [c]
    assert store.search("ｆｉｂｒｉｌｌａｔｉｏｎ")[0].id == a  # full-width query
    assert store.search("nothing like this") == []
    assert store.search('"; DROP') == []
    assert store.search("%") == []


# --- many at once ----------------------------------------------------------------


def test_add_concepts_is_one_transaction_and_one_undo_step(store):
    seen: list[list[int]] = []
    store.changed.append(seen.append)
    v = store.version()
    made = (Concept(terms=[Term(f"term {i}"), Term(f"术语{i}", "zh")], external_id=f"x{i}") for i in range(2500))
    ids = store.add_concepts(made, batch=1000)
    assert len(ids) == 2500 and ids == sorted(ids) and store.count() == 2500
    assert store.version() == v + 1 and seen == [ids]
    assert store.get_concept(ids[1234]).label() == "term 1234"
    assert [c.id for c in store.search("术语2499")] == [ids[-1]]
    assert store.undo()
    assert store.count() == 0 and store.search("术语2499") == []


def test_add_concepts_sets_ids_like_add_concept(store):
    first, second = af(), cell()
    ids = store.add_concepts([first, second])
    assert ids == [first.id, second.id]
    assert all(t.id is not None for t in first.terms) and first.created_at
    assert [t.id for t in store.get_concept(first.id).terms] == [t.id for t in first.terms]
    third = Concept(terms=[Term("anticoagulant")], related=[first.id])
    store.add_concepts([third])
    assert store.get_concept(third.id).related == [first.id]


def test_add_concepts_with_one_bad_concept_adds_nothing(store):
    store.add_concept(cell())
    v = store.version()
    batch = [af(), Concept(terms=[Term(" ")]), cell()]
    with pytest.raises(GlossaryError, match="at least one term"):
        store.add_concepts(batch)
    with pytest.raises(GlossaryError, match="Related concept 99"):
        store.add_concepts([af(), Concept(terms=[Term("x")], related=[99])])
    assert store.count() == 1 and store.version() == v and store.search("房颤") == []


def test_ids_stay_unique_after_bulk_add_and_undo(store):
    ids = store.add_concepts([cell(), cell()])
    store.undo()
    assert min(store.add_concepts([cell()])) > max(ids)


def test_external_ids(store):
    store.add_concepts([
        Concept(terms=[Term("Cholera")], external_id="A00", source="ICD-10-CM"),
        Concept(terms=[Term("mine")], external_id="A01", source="my notes"),
    ])
    wanted = ["A00", "A01", "Z99", ""] + [f"n{i}" for i in range(1200)]  # more than one query's worth
    assert store.external_ids(wanted) == {"A00", "A01"}
    assert store.external_ids(wanted, source="ICD-10-CM") == {"A00"}
    assert store.external_ids([]) == set()


def test_iter_concepts_of_a_domain_pages_through_every_one(store):
    store.add_concepts([cell() if i % 3 else af() for i in range(2100)])
    biology = list(store.iter_concepts(domain="biology", batch=500))
    assert len(biology) == 1400 and all(c.subject_fields == ["biology"] for c in biology)
    assert [c.id for c in biology] == sorted(c.id for c in biology)


# --- failures of the database itself ------------------------------------------------


def _hold_write_lock(path, module=sqlite3):
    # the same SQLite library as the store's: locks of one process are only seen within one library
    other = module.connect(str(path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_locked_glossary_is_one_sentence_and_changes_nothing(tmp_path):
    path = tmp_path / "g.db"
    with GlossaryStore(path) as s:
        s.add_concept(cell())
        s._db.execute("PRAGMA busy_timeout = 0")
        other = _hold_write_lock(path)
        with pytest.raises(GlossaryError, match="in use by another TermLens"):
            s.add_concept(af())
        other.execute("ROLLBACK")
        other.close()
        assert s.count() == 1
        s.add_concept(af())  # works again once the other program lets go
        assert s.count() == 2


def test_errors_of_another_connection_module_are_caught_too(tmp_path):
    sqlcipher3 = pytest.importorskip("sqlcipher3")
    path = tmp_path / "g.db"

    def connect(p):
        db = sqlcipher3.connect(p, isolation_level=None, check_same_thread=False, timeout=0)
        db.execute("PRAGMA foreign_keys = ON")
        return db

    with GlossaryStore(path, connect=connect) as s:
        assert not issubclass(sqlcipher3.dbapi2.Error, sqlite3.Error)
        s.add_concept(cell())
        other = _hold_write_lock(path, sqlcipher3)
        with pytest.raises(GlossaryError, match="in use by another TermLens"):
            s.add_concepts([af()])
        other.execute("ROLLBACK")
        other.close()
        assert s.count() == 1
