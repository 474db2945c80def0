"""The evaluation runner: every method on every item, in one run, on the loaded model.

Methods:

``base``         the question alone, under the app's base system prompt;
``inject``       the app's own path: the matcher detects terms in the question and
                 their definitions go into the system prompt (``desktop.prompting``);
``lora``         the question alone, with the adapter merged into the weights;
``lora+inject``  both;
``oracle``       the definitions of the item's own concepts always injected, with no
                 detection: the upper bound of what injection can give.

Every item about glossary concepts is marked "found" or "missed" by the app's
matcher (on its question), under every method, so that injection's gain can be read
apart on the items whose terms were detected and on those that were not (where only
the oracle injects). The methods that need an adapter are skipped, with the reason in
the report, when none is given. Methods without the adapter run first, then the adapter is applied
once for the others; the adapter the model had before the run is restored at the end.
Items are multiple choice (log-likelihood scoring) or free text (greedy generation
and key points); see ``scoring``. The stop flag is checked between items; a stopped
run returns the items scored so far, marked ``stopped``.

Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from desktop import log
from desktop.engine import offline as _offline  # noqa: F401
from desktop.engine.evaluate.report import FOUND, MISSED, EvalReport, ItemResult, MethodSummary
from desktop.engine.evaluate.scoring import KeyPointScorer, score_choices
from desktop.engine.models import LoadedModel
from desktop.errors import EvaluationError
from glossary import inject
from glossary.model import Concept
from glossary.testset import TestItem, assign_splits, resolve_concepts

_log = log.get("evaluate")

METHODS = ("base", "inject", "lora", "lora+inject", "oracle")
NEEDS_ADAPTER = frozenset({"lora", "lora+inject"})
DETECTS = frozenset({"inject", "lora+inject"})
DEFAULT_SYSTEM = ("You are TermLens, a careful assistant for professionals. "
                  "Answer precisely and say when you are unsure.")

ProgressFn = Callable[[int, int, str], None]

TESTSETS_DIR = Path(__file__).resolve().parents[3] / "resources" / "testsets"
SAMPLE_TESTSET = TESTSETS_DIR / "sample.jsonl"  # medicine, law, finance; L1 and L2; en and zh
GENERAL_TESTSET = TESTSETS_DIR / "general.jsonl"  # general knowledge: the forgetting check for lora


@dataclass
class EvalSettings:
    system_prompt: str = field(default=DEFAULT_SYSTEM, metadata={"help": "Base system prompt of every method."})
    budget_tokens: int = field(default=400, metadata={"help": "Most tokens the injected term block may take."})
    max_new_tokens: int = field(default=64, metadata={"help": "Longest free-text answer, in tokens."})
    pass_threshold: float = field(default=0.5, metadata={"help": "Share of key points a free-text answer needs."})
    batch_size: int = field(default=8, metadata={"help": "Options scored in one forward pass."})
    inject_position: str = field(default="inline", metadata={
        "help": "Where inject, lora+inject and oracle put the definitions: system, inline or both."})
    inject_related: int = field(default=0, metadata={
        "help": "Also inject up to N related concepts the question does not name (cross-references, concepts a "
                "definition names, the same subject field); 0: none. They go to the system prompt."})


def parse_methods(text: str | Iterable[str]) -> list[str]:
    """Methods from "base,inject" or a list, in canonical order; ``EvaluationError`` for unknown ones."""
    names = [m.strip() for m in (text.split(",") if isinstance(text, str) else text) if m.strip()]
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise EvaluationError.of("'{method}' is not an evaluation method; choose from {methods}.", method=unknown[0],
                                 methods=", ".join(METHODS))
    if not names:
        raise EvaluationError.of("No evaluation method was chosen; choose from {methods}.", methods=", ".join(METHODS))
    return [m for m in METHODS if m in names]


def trained_concept_ids(meta: dict[str, Any]) -> set[int]:
    """The concept ids an adapter was trained on, from its metadata."""
    for key in ("concept_ids", "trained_concept_ids", "concepts"):
        value = meta.get(key)
        if isinstance(value, list):
            return {int(v) for v in value if isinstance(v, (int, str)) and str(v).lstrip("-").isdigit()}
    data = meta.get("data")
    if isinstance(data, dict):
        return trained_concept_ids(data)
    return set()


class _Memory:
    """Extra memory a method uses: the torch peak on CUDA, resident memory between items on the CPU."""

    def __init__(self, device: str) -> None:
        self.cuda = device.startswith("cuda")
        self.device = device
        if self.cuda:
            import torch

            torch.cuda.synchronize(device)
            torch.cuda.reset_peak_memory_stats(device)
            self.start = torch.cuda.memory_allocated(device)
            self.note = "GPU: peak memory allocated by torch during the method above what was allocated before it."
        else:
            import psutil

            self._proc = psutil.Process()
            self.start = self._proc.memory_info().rss
            self.note = ("CPU: process resident memory, sampled between items, above its level at the start of "
                         "the method (approximate: memory freed by an earlier method is reused, so later methods "
                         "can read low).")
        self.peak = self.start

    def sample(self) -> None:
        if not self.cuda:
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def extra(self) -> int:
        if self.cuda:
            import torch

            return int(torch.cuda.max_memory_allocated(self.device) - self.start)
        self.sample()
        return int(self.peak - self.start)


def _concepts(glossary_concepts: Iterable[Concept] | Any | None, store: Any | None) -> list[Concept]:
    source = glossary_concepts if glossary_concepts is not None else store
    if source is None:
        return []
    if hasattr(source, "iter_concepts"):
        source = source.iter_concepts()
    concepts = [c for c in source if c.id is not None]
    return concepts


def run_eval(
    lm: LoadedModel,
    items: Sequence[TestItem],
    *,
    methods: Sequence[str] | str,
    glossary_concepts: Iterable[Concept] | Any | None = None,
    store: Any | None = None,
    adapter: str | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
    seed: int = 0,
    settings: EvalSettings | None = None,
    testset_name: str = "",
) -> EvalReport:
    """Score ``items`` under each method; returns the summarised report (see the module docstring).

    ``glossary_concepts`` is a list of concepts or a store (anything with
    ``iter_concepts``); ``store`` is accepted as the same. ``on_progress(done, total,
    message)`` is called after each item; ``should_stop()`` is checked between items.
    """
    import torch

    from desktop.engine import adapters as adapters_mod
    from desktop.prompting import prepare_turn
    from glossary.matcher import Matcher

    settings = settings or EvalSettings()
    stop = should_stop or (lambda: False)
    progress = on_progress or (lambda _d, _t, _m: None)
    wanted = parse_methods(methods)
    if not items:
        raise EvaluationError.of("The test set holds no items.")
    ids = [it.id for it in items]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise EvaluationError.of("The item id '{id}' occurs twice in the test items; ids must be unique.", id=dup)

    concepts = _concepts(glossary_concepts, store)
    by_id = {c.id: c for c in concepts}
    items = [replace(it, concept_ids=list(it.concept_ids), concepts=list(it.concepts)) for it in items]
    report = EvalReport()
    missing = resolve_concepts(items, concepts)
    if missing:
        report.notes.append(f"{len(missing)} concept references are not in the glossary and were ignored "
                            f"(first: {'; '.join(missing[:3])}); oracle injects nothing for them.")

    trained: set[int] = set()
    if adapter:
        meta = adapters_mod.read_meta(adapter)
        trained = trained_concept_ids(meta)
        if not trained:
            report.notes.append(f"The adapter '{adapter}' does not list the concepts it was trained on, "
                                "so every item counts as held-out.")
    assign_splits(items, trained)

    run: list[str] = []
    for m in wanted:
        if m in NEEDS_ADAPTER and not adapter:
            report.skipped[m] = "no adapter was given (choose one to evaluate LoRA)."
        else:
            run.append(m)
    if "base" not in run:
        report.notes.append("base was not run, so no method is compared with it.")
    report.methods = run

    matcher = Matcher(concepts)
    scorer = KeyPointScorer(concepts)
    tok = lm.tokenizer
    detections = {it.id: _detection(it, matcher) for it in items}

    def count_tokens(text: str) -> int:
        return len(tok(text, add_special_tokens=False)["input_ids"]) if text else 0

    started = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    t_run = time.perf_counter()
    if run:
        _warm_up(lm, items, settings=settings, scorer=scorer)
    total = len(items) * len(run)
    done = 0
    previous = lm.adapter
    try:
        for m in run:
            if report.stopped:
                break
            memory = _Memory(lm.device)
            t0 = time.perf_counter()
            if m in NEEDS_ADAPTER:
                if lm.adapter != adapter:
                    adapters_mod.apply_adapter(lm, adapter)  # type: ignore[arg-type]
            elif lm.adapter:
                adapters_mod.remove_adapter(lm)
            torch.manual_seed(seed)
            for item in items:
                if stop():
                    report.stopped = True
                    break
                ti = time.perf_counter()
                messages, detection, injected = _messages(
                    m, item, settings=settings, matcher=matcher, by_id=by_id, count_tokens=count_tokens,
                    prepare_turn=prepare_turn,
                )
                result = _score(lm, item, m, messages, settings=settings, scorer=scorer, seed=seed, stop=stop,
                                matcher=matcher)
                if result is None:  # stopped in the middle of a generation
                    report.stopped = True
                    break
                result.detection, result.injected = detection or detections[item.id], injected
                result.seconds = time.perf_counter() - ti
                report.results.append(result)
                memory.sample()
                done += 1
                progress(done, total, f"{m}: {item.id}")
            report.summaries[m] = MethodSummary(method=m, seconds=time.perf_counter() - t0,
                                                extra_memory_bytes=memory.extra(), memory_note=memory.note)
    finally:
        if lm.adapter != previous:
            adapters_mod.remove_adapter(lm)
            if previous:
                adapters_mod.apply_adapter(lm, previous)
    if report.stopped:
        report.methods = [m for m in run if m in report.summaries]
    report.meta = {
        "model": lm.info.name, "fingerprint": lm.fingerprint, "device": f"{lm.device} ({lm.dtype}" + (", 8-bit weights)" if getattr(lm, "weights", "full") == "int8" else ")"),
        "adapter": adapter or "", "trained_concepts": len(trained), "testset": testset_name,
        "engine": getattr(lm, "engine", "transformers"),
        "n_items": len(items), "seed": seed, "started": started,
        "total_s": round(time.perf_counter() - t_run, 1), "pass_threshold": settings.pass_threshold,
        "budget_tokens": settings.budget_tokens, "max_new_tokens": settings.max_new_tokens,
        "inject_position": settings.inject_position, "inject_related": settings.inject_related,
    }
    return report.summarise()


def _warm_up(lm: LoadedModel, items: Sequence[TestItem], *, settings: EvalSettings, scorer: KeyPointScorer) -> None:
    """Score one question before any clock starts, so that the first method is not charged for
    one-off costs (lazy initialisation, the allocator's first growth, loading jieba's dictionary)."""
    from desktop.engine.generate import prepare

    item = next((it for it in items if it.choices), None)
    messages = [{"role": "system", "content": settings.system_prompt},
                {"role": "user", "content": (item or items[0]).question}]
    prompt = prepare(lm.tokenizer, messages, context_length=lm.context_length, max_new_tokens=64)
    score_choices(lm.model, lm.tokenizer, prompt.input_ids, item.choices if item else ["yes", "no"],
                  device=lm.device, batch_size=settings.batch_size, prompt_text=prompt.text)
    if any(not it.choices for it in items):
        scorer.score("预热", ["分词"])


def _detection(item: TestItem, matcher: Any) -> str:
    """FOUND when the matcher detects every concept of the item in its question, MISSED when not,
    "" for an item about no concept."""
    if not item.concept_ids:
        return ""
    found = {h.concept_id for h in matcher.detect(item.question)}
    return FOUND if set(item.concept_ids) <= found else MISSED


def _messages(method: str, item: TestItem, *, settings: EvalSettings, matcher: Any, by_id: dict[int, Concept],
              count_tokens: Callable[[str], int], prepare_turn: Callable[..., Any]) -> tuple[list[dict], str, list[int]]:
    """The chat messages for ``item`` under ``method``, whether its terms were found, and what was injected."""
    if method in DETECTS:
        turn = prepare_turn(item.question, matcher=matcher, base_system=settings.system_prompt, injection=True,
                            budget_tokens=settings.budget_tokens, count_tokens=count_tokens,
                            position=settings.inject_position, related=settings.inject_related,
                            pool=by_id.values())
        detection = ""
        if item.concept_ids:
            found = {h.concept_id for h in turn.hits}
            detection = FOUND if set(item.concept_ids) <= found else MISSED
        return turn.messages, detection, list(turn.block.included)
    system, question = settings.system_prompt, item.question
    injected: list[int] = []
    if method == "oracle":
        chosen = [by_id[i] for i in item.concept_ids if i in by_id]
        block = inject.oracle_block(chosen, question=item.question, budget_tokens=settings.budget_tokens,
                                    count_tokens=count_tokens, lang=item.lang, related=settings.inject_related,
                                    pool=by_id.values())
        if settings.inject_position != "system":
            question = inject.inline_question(item.question, inject.mentions(item.question, chosen), block)
        if settings.inject_position == "both" or question == item.question:
            system = inject.system_prompt(system, block)  # a concept the question does not name: system prompt
        else:
            system = inject.system_prompt(system, inject.related_only(block))  # related concepts are never inline
        injected = list(block.included)
    return [{"role": "system", "content": system}, {"role": "user", "content": question}], "", injected


def _score(lm: LoadedModel, item: TestItem, method: str, messages: list[dict], *, settings: EvalSettings,
           scorer: KeyPointScorer, seed: int, stop: Callable[[], bool], matcher: Any = None) -> ItemResult | None:
    from desktop.engine.generate import GenerationSettings, generate, prepare

    common = dict(item_id=item.id, method=method, level=item.level, subject_field=item.subject_field,
                  lang=item.lang, kind=item.kind, split=item.split)
    if item.choices:
        longest = max(len(lm.tokenizer(c, add_special_tokens=False)["input_ids"]) for c in item.choices)
        prompt = prepare(lm.tokenizer, messages, context_length=lm.context_length, max_new_tokens=longest)
        s = score_choices(lm.model, lm.tokenizer, prompt.input_ids, item.choices, device=lm.device,
                          batch_size=settings.batch_size, prompt_text=prompt.text)
        return ItemResult(**common, correct=s.pick_norm == item.answer, correct_raw=s.pick == item.answer,
                          chosen=s.pick_norm, answer=item.answer, logprobs=[round(x, 4) for x in s.logprobs])
    gen = generate(lm, messages, settings=GenerationSettings(max_new_tokens=settings.max_new_tokens,
                                                             temperature=0.0, seed=seed), should_stop=stop)
    if gen.stats.finish_reason == "stopped":
        return None
    kp = scorer.score(gen.text, item.key_points)
    issues: list[str] = []
    if matcher is not None:  # the answer's term QA, as the chat shows it (glossary.answer_check)
        from glossary.answer_check import check_answer

        issues = [i.kind for i in check_answer(matcher, matcher.detect(item.question), gen.text).issues]
    return ItemResult(**common, correct=kp.coverage >= settings.pass_threshold, coverage=round(kp.coverage, 4),
                      output=gen.text, term_issues=issues)
