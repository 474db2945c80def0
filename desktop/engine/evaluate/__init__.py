"""Evaluation: a test set scored for base, +injection, +LoRA, +both and the injection oracle.

``run_eval(lm, items, methods=..., glossary_concepts=...)`` (``runner``) returns an
``EvalReport`` (``report``) that groups the results, tests each method against
base and exports Markdown, CSV, JSON and a chart. ``run_request`` (``request``) is
one whole evaluation as the app and the command line ask for it: test sets, items
made from the glossary, the forgetting check, the saved report. Scoring lives in
``scoring``, the statistics in ``stats``. Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

from desktop.engine.evaluate.report import EvalReport, GroupScore, ItemResult, MethodSummary, load_report, main_table
from desktop.engine.evaluate.request import EvalOutcome, EvalRequest, glossary_items, run_request
from desktop.engine.evaluate.runner import (
    GENERAL_TESTSET,
    METHODS,
    NEEDS_ADAPTER,
    SAMPLE_TESTSET,
    EvalSettings,
    parse_methods,
    run_eval,
)
from desktop.engine.evaluate.stats import McNemar, mcnemar, wilson

__all__ = [
    "GENERAL_TESTSET", "SAMPLE_TESTSET", "EvalOutcome", "EvalReport", "EvalRequest", "EvalSettings", "GroupScore",
    "ItemResult", "McNemar", "METHODS", "MethodSummary", "NEEDS_ADAPTER", "glossary_items", "load_report",
    "main_table", "mcnemar", "parse_methods", "run_eval", "run_request", "wilson",
]
