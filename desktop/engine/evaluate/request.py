"""One evaluation as the app and the command line ask for it: which items, which methods,
which adapter, where the report goes; ``run_request`` does it all on the loaded model.

Items come from JSONL test sets and, optionally, from L1 items made from the glossary
(``glossary.testset.make_l1_items``). When an adapter is chosen and ``lora`` is among
the methods, the general-knowledge set that TermLens ships is added (the forgetting
check: lora against base on questions the adapter was never about), unless the
request says not to. A glossary with no concepts is replaced by the starter
glossaries, loaded into memory (the user's store is not changed), and the report says
so: the sample test set is written against them.

The report is saved into ``report_dir``, or into a new folder under the data
directory's ``reports/`` (encrypted there, see ``report``). Runs on the model thread
(or in the CLI); knows nothing of Qt.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.engine.evaluate.report import EvalReport
from desktop.engine.evaluate.runner import GENERAL_TESTSET, EvalSettings, parse_methods, run_eval
from desktop.errors import EvaluationError
from glossary.model import Concept
from glossary.testset import TestItem, make_l1_items, read_testset

GLOSSARY_SET = "glossary"  # the name of the L1 set made from the glossary, in reports


@dataclass
class EvalRequest:
    testsets: list[str] = field(default_factory=list)  # JSONL files
    from_glossary: int = 0  # this many L1 items made from the glossary (0: none)
    glossary_domain: str | None = None  # only concepts of this subject field for those items
    methods: list[str] = field(default_factory=lambda: ["base", "inject", "oracle"])
    adapter: str | None = None
    forgetting: bool = True  # add the general-knowledge set when lora runs
    limit: int | None = None  # only the first N items of each test set
    seed: int = 0
    settings: EvalSettings = field(default_factory=EvalSettings)
    report_dir: str | None = None  # None: a new folder under reports/ (encrypted)


@dataclass
class EvalOutcome:
    report: EvalReport
    folder: Path | None  # where the report was saved
    files: dict[str, Path]
    png: bytes  # the chart, for a window to show without reading the (encrypted) file
    notes: list[str]


def starter_concepts() -> list[Concept]:
    """The starter glossaries (medicine, law, finance), loaded into a store in memory."""
    from glossary.importer import load_starter
    from glossary.store import GlossaryStore

    with GlossaryStore(":memory:") as mem:
        load_starter(mem)
        return list(mem.iter_concepts())


def glossary_or_starters(concepts: Iterable[Concept]) -> tuple[list[Concept], str]:
    """``concepts`` with ids, or the starter glossaries (and a sentence saying so) when there are none."""
    own = [c for c in concepts if c.id is not None]
    if own:
        return own, ""
    return starter_concepts(), "The glossary is empty, so the starter glossaries (medicine, law, finance) were used."


def collect_items(request: EvalRequest, concepts: list[Concept]) -> tuple[list[TestItem], list[str]]:
    """The items of the request and the names of their sources; ``EvaluationError`` (or
    ``TestSetError``) with a sentence when a file cannot be used or nothing is left."""
    methods = parse_methods(request.methods)
    items: list[TestItem] = []
    names: list[str] = []

    def take(new: list[TestItem], name: str) -> None:
        if request.limit is not None:
            new = new[: max(0, request.limit)]
        taken = {it.id for it in items}
        clash = next((it.id for it in new if it.id in taken), None)
        if clash and name == GLOSSARY_SET:
            raise EvaluationError.of("The item id '{id}' of glossary is also in another chosen test set; "
                                     "choose one of them or rename the ids.", id=clash)
        if clash:
            raise EvaluationError.of("The item id '{id}' of {name} is also in another chosen test set; "
                                     "choose one of them or rename the ids.", id=clash, name=name)
        items.extend(new)
        names.append(name)

    for path in request.testsets:
        take(read_testset(path), Path(path).name)
    if request.from_glossary:
        take(glossary_items(concepts, n=request.from_glossary, domain=request.glossary_domain, seed=request.seed),
             GLOSSARY_SET)
    general = GENERAL_TESTSET.resolve()
    if (request.forgetting and request.adapter and "lora" in methods and GENERAL_TESTSET.is_file()
            and all(Path(p).resolve() != general for p in request.testsets)):
        take(read_testset(GENERAL_TESTSET), GENERAL_TESTSET.name)
    if not items:
        raise EvaluationError.of("Choose a test set: none was given.")
    return items, names


def _check_domain(concepts: list[Concept], domain: str | None) -> None:
    if domain:
        fields = {f for c in concepts for f in c.subject_fields}
        if domain not in fields:
            if not fields:
                raise EvaluationError.of("No concept has the subject field '{field}'; the fields are none.",
                                         field=domain)
            raise EvaluationError.of("No concept has the subject field '{field}'; the fields are {fields}.",
                                     field=domain, fields=", ".join(sorted(fields)))


def glossary_items(concepts: list[Concept], *, n: int | None, domain: str | None = None,
                   seed: int = 0) -> list[TestItem]:
    """L1 items made from ``concepts`` (of ``domain`` only, when given), a seeded sample of ``n``.

    Distractors come from the whole glossary, so that a field's items still have easy
    distractors from the others.
    """
    _check_domain(concepts, domain)
    items = make_l1_items(concepts, seed=seed)
    if domain:
        items = [it for it in items if it.subject_field == domain]
    if n is not None and 0 <= n < len(items):
        keep = sorted(random.Random(seed).sample(range(len(items)), n))
        items = [items[i] for i in keep]
    if not items:
        raise EvaluationError.of("No test items could be made from the glossary: it needs at least four concepts "
                                 "with definitions (or abbreviations).")
    return items


def l2_items(concepts: list[Concept], *, n: int | None, domain: str | None = None, seed: int = 0) -> list[TestItem]:
    """L2 items (``glossary.l2items``) from ``concepts`` (of ``domain`` only, when given), a seeded sample of ``n``."""
    from glossary.l2items import make_l2_items

    if domain:
        _check_domain(concepts, domain)
        concepts = [c for c in concepts if domain in c.subject_fields]
    items = make_l2_items(concepts, seed=seed, n=n)
    if not items:
        raise EvaluationError.of("No L2 items could be made from the glossary: it needs at least four concepts "
                                 "with definitions.")
    return items


def default_report_dir() -> Path:
    """A new folder under the data directory's ``reports/``."""
    from desktop import paths

    base = paths.reports_dir() / datetime.now().strftime("eval-%Y%m%d-%H%M%S")
    folder, k = base, 1
    while folder.exists():
        k += 1
        folder = base.with_name(f"{base.name}-{k}")
    return folder


def run_request(
    lm: Any,
    request: EvalRequest,
    *,
    concepts: Iterable[Concept],
    on_progress: Callable[[int, int, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    save: bool = True,
    glossary_note: str = "",
) -> EvalOutcome:
    """Collect the items, run every method, save the report (unless ``save`` is False).

    ``glossary_note``: a sentence about where ``concepts`` came from, for the report
    (when the caller already replaced an empty glossary by the starters)."""
    concepts, note = glossary_or_starters(concepts)
    note = note or glossary_note
    items, names = collect_items(request, concepts)
    notes = [note] if note else []
    report = run_eval(lm, items, methods=parse_methods(request.methods), glossary_concepts=concepts,
                      adapter=request.adapter, on_progress=on_progress, should_stop=should_stop, seed=request.seed,
                      settings=request.settings, testset_name=", ".join(names))
    if note:
        report.notes.insert(0, note)
    folder: Path | None = None
    files: dict[str, Path] = {}
    contents = report.files()
    if save:
        folder = Path(request.report_dir) if request.report_dir else default_report_dir()
        files = report.write(folder, contents=contents)
    return EvalOutcome(report=report, folder=folder, files=files, png=contents["png"], notes=notes)
