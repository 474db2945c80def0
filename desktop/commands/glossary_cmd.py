"""``main.py glossary ...``: the glossary from a terminal (import, export, list, search, detect).

Each subcommand opens the user's glossary through ``desktop.storage.appdata`` (the encrypted
``termlens.db``; the passphrase, when the data has one, comes from
``TERMLENS_PASSPHRASE`` or is asked at the terminal), does one thing and returns an
exit code: 0 on success, 2 on an error of the ``TermLensError`` family
(one sentence on stderr; an import error also prints its report lines). File
formats and the bundled glossaries are reached through ``glossary.importer``,
``glossary.formats`` and ``glossary.icd10cm``, imported only when needed. This
module knows nothing of Qt or of the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from desktop.commands import guarded
from desktop.commands.progress import LineProgress
from glossary.store import GlossaryStore


def _open() -> GlossaryStore:
    from desktop.storage.appdata import open_glossary

    return open_glossary()  # a new data folder gets the starter glossaries, as in the window




def _guarded(work: Callable[[argparse.Namespace, GlossaryStore], int]) -> Callable[[argparse.Namespace], int]:
    """Run ``work`` with an open store, ending as every command does (``desktop.commands.guarded``)."""

    def with_store(args: argparse.Namespace) -> int:
        with _open() as store:
            return work(args, store)

    with_store.__name__ = work.__name__
    return guarded(with_store)


def _line(c) -> str:  # noqa: ANN001 - a Concept
    fields = f" [{', '.join(c.subject_fields)}]" if c.subject_fields else ""
    others = [t.text for t in c.terms if t.text != c.label()]
    also = f" ({'; '.join(others)})" if others else ""
    return f"{c.id}\t{c.label()}{also}{fields}\t{c.status.value}"


def _import(args: argparse.Namespace, store: GlossaryStore) -> int:
    from glossary.importer import import_file

    with LineProgress(sys.stderr, f"Reading {Path(args.file).name}") as progress:
        result = import_file(store, args.file, format=args.format, skip_bad=args.skip_bad, existing=args.existing,
                             encoding=args.encoding, on_progress=progress)
    print(f"Imported {result.added} concepts; skipped {result.skipped}.")
    already = [(result.merged, "merged into the concepts already there"), (result.replaced, "replaced"),
               (result.kept, "already in the glossary, left as they were")]
    for n, what in already:
        if n:
            print(f"{n} entries {what}.")
    for problem in result.problems:
        print(f"  {problem}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace, store: GlossaryStore) -> int:
    from desktop.storage.config import load
    from glossary import formats

    neutralise = load().csv_neutralise_formulas if args.keep_formulas is None else not args.keep_formulas
    n = formats.write(store.iter_concepts(domain=args.domain), args.file, format=args.format, neutralise=neutralise)
    print(f"Exported {n} concepts to {args.file}.")
    return 0


def _delete(args: argparse.Namespace, store: GlossaryStore) -> int:
    for cid in args.ids:
        label = store.get_concept(cid).label()  # an unknown id is a sentence before anything is deleted
        print(f"Deleting {cid}\t{label}")
    with store.transaction():  # one undo step for all of them
        for cid in args.ids:
            store.delete_concept(cid)
    n = len(args.ids)
    print(f"Deleted {n} concepts; 'glossary undo' brings them back." if n != 1
          else "Deleted 1 concept; 'glossary undo' brings it back.")
    return 0


def _undo(args: argparse.Namespace, store: GlossaryStore) -> int:
    if not store.undo():
        print("There is nothing to undo.")
        return 0
    print("Undid the last change to the glossary.")
    return 0


def _list(args: argparse.Namespace, store: GlossaryStore) -> int:
    for c in store.iter_concepts(domain=args.domain):
        print(_line(c))
    return 0


def _search(args: argparse.Namespace, store: GlossaryStore) -> int:
    found = store.search(args.text, limit=args.limit)
    for c in found:
        print(_line(c))
    if not found:
        print("No concepts found.", file=sys.stderr)
    return 0


def _detect(args: argparse.Namespace, store: GlossaryStore) -> int:
    from glossary.matcher import Matcher

    matcher = Matcher.from_store(store, follow=False, active_fields=args.field or ())
    hits = matcher.detect(args.text)
    if matcher.skipped:  # terms stored before the length limit
        print(f"note: {len(matcher.skipped)} concepts have a term longer than 256 characters, left out of detection "
              f"(concepts {', '.join(map(str, matcher.skipped[:10]))})", file=sys.stderr)
    if args.json:
        def about(cid: int) -> dict:
            c = matcher.concept(cid)
            return {"concept_id": cid, "preferred": c.label(), "subject_fields": list(c.subject_fields)}

        rows = [
            {
                "start": h.start,
                "end": h.end,
                "text": h.text,
                "matched": h.matched,  # the form found ("atrial fibrillations"), and the term it is a form of
                "term": h.term.text,
                "inflected": h.inflected,
                "match_mode": h.term.effective_match_mode.value,
                **about(h.concept_id),
                "term_type": h.term.type.value,
                "status": h.status.value,
                "deprecated": h.deprecated,
                "alternatives": [about(a) for a in h.alternatives],
            }
            for h in hits
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for h in hits:
        label = h.concept.label() if h.concept else ""
        extra = f"\talso: {', '.join(map(str, h.alternatives))}" if h.alternatives else ""
        flag = f"\t({h.status.value} term)" if h.deprecated else ""
        flag += f"\t(matched '{h.matched}' for '{h.term.text}')" if h.inflected else ""
        print(f"{h.start}-{h.end}\t{h.text}\t{h.concept_id}\t{label}{flag}{extra}")
    if not hits:
        print("No glossary terms found.", file=sys.stderr)
    return 0


def _load_icd10cm(args: argparse.Namespace, store: GlossaryStore) -> int:
    from glossary import icd10cm

    with LineProgress(sys.stderr, "Loading ICD-10-CM") as progress:
        n = icd10cm.load(store, on_progress=progress, seven_char=not args.without_7th_character)
    print(f"Loaded {n} ICD-10-CM concepts.")
    return 0


def _load_starter(args: argparse.Namespace, store: GlossaryStore) -> int:
    from glossary.importer import load_starter

    n = load_starter(store, names=args.names or None)
    print(f"Loaded {n} concepts from the starter glossaries.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``glossary`` and its subcommands to ``main.py``'s parser."""
    p = subparsers.add_parser("glossary", help="import, export, list, search and detect glossary terms")
    sub = p.add_subparsers(dest="glossary_command", required=True, metavar="COMMAND")

    q = sub.add_parser("import", help="add the concepts of a CSV, JSON(L) or TBX file")
    q.add_argument("file")
    q.add_argument("--format", help="csv, json, jsonl or tbx (default: from the file name)")
    q.add_argument("--skip-bad", action="store_true", help="import the good entries and report the bad ones")
    q.add_argument("--existing", choices=("ask", "merge", "skip", "replace"), default="ask",
                   help="entries already in the glossary (same id, or same preferred term and subject fields): "
                        "ask (import nothing and say so; the default), merge (add their new terms and definitions), "
                        "skip (leave them) or replace (overwrite them)")
    q.add_argument("--encoding", help="a CSV file's text encoding, e.g. utf-8, cp1252, gb18030 (default: detected)")
    q.set_defaults(func=_guarded(_import))

    q = sub.add_parser("export", help="write the glossary to a file")
    q.add_argument("file")
    q.add_argument("--format", help="csv, json, jsonl or tbx (default: from the file name)")
    q.add_argument("--domain", help="only concepts of this subject field")
    q.add_argument("--keep-formulas", action="store_true", default=None,
                   help="CSV: write cells that start with = + - @ as they are, without the apostrophe that stops a "
                        "spreadsheet from running them as formulas (default: the csv_neutralise_formulas setting, on)")
    q.set_defaults(func=_guarded(_export))

    q = sub.add_parser("delete", help="delete concepts by id (one undo step)")
    q.add_argument("ids", nargs="+", type=int, metavar="ID", help="concept ids, as 'glossary list' prints them")
    q.set_defaults(func=_guarded(_delete))

    q = sub.add_parser("undo", help="undo the last change to the glossary (an import, an edit, a delete)")
    q.set_defaults(func=_guarded(_undo))

    q = sub.add_parser("list", help="print the concepts")
    q.add_argument("--domain", help="only concepts of this subject field")
    q.set_defaults(func=_guarded(_list))

    q = sub.add_parser("search", help="find concepts by term, definition or note")
    q.add_argument("text")
    q.add_argument("--limit", type=int, default=50)
    q.set_defaults(func=_guarded(_search))

    q = sub.add_parser("detect", help="show the glossary terms found in a text")
    q.add_argument("text")
    q.add_argument("--json", action="store_true", help="print the hits as JSON")
    q.add_argument("--field", action="append", help="an active subject field (repeatable)")
    q.set_defaults(func=_guarded(_detect))

    q = sub.add_parser(
        "load-icd10cm",
        help="load the bundled ICD-10-CM code set: every billable code and the headings above them",
    )
    q.add_argument(
        "--without-7th-character", action="store_true",
        help="leave out the codes formed with a 7th character (S52.011A): about half as many concepts",
    )
    q.set_defaults(func=_guarded(_load_icd10cm))

    q = sub.add_parser("load-starter", help="load bundled starter glossaries")
    q.add_argument("names", nargs="*", help="which ones (default: all)")
    q.set_defaults(func=_guarded(_load_starter))
