"""``main.py dataset ...``: training pairs and candidate terms from a terminal.

``dataset build --out FILE`` writes Q&A pairs made from the glossary as JSONL (for
``main.py train --data FILE`` or for review in the app); ``dataset candidates FILE...``
lists terms from the person's documents that the glossary lacks, and with ``--add``
puts them into the glossary as draft concepts. Errors of the ``TermLensError`` family
become one sentence on stderr and exit code 2. Knows nothing of Qt or of the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from desktop.commands import guarded
from glossary.errors import GlossaryError


def _build(args: argparse.Namespace) -> int:
    from desktop.storage.appdata import open_glossary
    from glossary import candidates, dataset

    if args.per_concept < 1:
        raise GlossaryError("--per-concept must be 1 or more.")
    documents = [candidates.read_document(p) for p in args.context or []]
    with open_glossary() as store:
        if args.domain is not None and args.domain not in store.subject_fields():
            fields = ", ".join(store.subject_fields()) or "none yet"
            raise GlossaryError(f"No concept has the subject field '{args.domain}' (the fields are: {fields}).")
        pairs = dataset.pairs_from_store(store, domain=args.domain, seed=args.seed, per_concept=args.per_concept,
                                         langs=args.lang or ("en", "zh"), documents=documents)
    if not pairs:
        raise GlossaryError("The glossary has no concept with a definition or an abbreviation to make pairs from.")
    if args.accepted:
        for p in pairs:
            p["status"] = "accepted"
    try:
        n = dataset.write_jsonl(pairs, args.out)
    except OSError as exc:
        raise GlossaryError(f"{args.out} could not be written ({exc.strerror or exc}).") from exc
    kinds = Counter(p["kind"] for p in pairs)
    concepts = len({p["concept_id"] for p in pairs})
    print(f"Wrote {n} pairs from {concepts} concepts to {args.out} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}).")
    return 0


def _candidates(args: argparse.Namespace) -> int:
    from desktop.storage.appdata import open_glossary
    from glossary import candidates

    with open_glossary() as store:
        known = candidates.known_forms(store.iter_concepts())
        found = candidates.propose_from_files(args.files, known=known, top=args.top, min_count=args.min_count)
        added = candidates.add_to_glossary(store, found, subject_field=args.field or "") if args.add else []
    if args.json:
        rows = [{"term": c.term, "abbreviation": c.abbreviation, "lang": c.lang, "score": c.score, "count": c.count,
                 "documents": c.documents, "example": c.example, "sources": c.sources} for c in found]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for c in found:
            print(f"{c.score:8.2f}\t{c.count}\t{c.label}\t{c.example}")
        if not found:
            print("No candidate terms found: every recurring term is already in the glossary, "
                  "or the documents are too short.", file=sys.stderr)
    if added:
        print(f"Added {len(added)} draft concepts to the glossary.", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``dataset`` and its subcommands to ``main.py``'s parser."""
    p = subparsers.add_parser("dataset", help="training pairs from the glossary; candidate terms from documents")
    sub = p.add_subparsers(dest="dataset_command", required=True, metavar="COMMAND")

    q = sub.add_parser("build", help="write Q&A pairs made from the glossary as JSONL")
    q.add_argument("--out", required=True, metavar="FILE", help="the JSONL file to write")
    q.add_argument("--domain", metavar="D", help="only concepts of this subject field")
    q.add_argument("--seed", type=int, default=0, metavar="N", help="the same seed gives the same pairs (default 0)")
    q.add_argument("--per-concept", type=int, default=4, metavar="K",
                   help="pairs per concept and language, each a different phrasing (default 4)")
    q.add_argument("--lang", action="append", choices=["en", "zh"], help="a language of the pairs (repeatable; default both)")
    q.add_argument("--context", action="append", metavar="DOC",
                   help="a .txt, .md or .docx document whose sentences show terms in context (repeatable)")
    q.add_argument("--accepted", action="store_true",
                   help="mark every pair accepted, to train without reviewing them in the app")
    q.set_defaults(func=guarded(_build))

    q = sub.add_parser("candidates", help="propose terms from documents that the glossary lacks")
    q.add_argument("files", nargs="+", metavar="FILE", help=".txt, .md or .docx documents")
    q.add_argument("--top", type=int, default=30, metavar="N", help="how many to list (default 30)")
    q.add_argument("--min-count", type=int, default=2, metavar="N", help="fewest occurrences (default 2)")
    q.add_argument("--json", action="store_true", help="print the candidates as JSON")
    q.add_argument("--add", action="store_true", help="add them to the glossary as draft concepts")
    q.add_argument("--field", metavar="F", help="subject field of the added concepts")
    q.set_defaults(func=guarded(_candidates))
