"""The evaluation run as a model-thread job, for the Evaluation page.

``evaluation_job(spec, concepts)`` returns a ``Job`` to hand to ``ModelWorker.submit``:
the page describes the run as plain data and never imports the engine; the engine is
imported inside the job, on the model thread. The handle's ``progress`` carries
``(done, total, message)`` per scored answer, ``finished`` the ``EvalOutcome`` (report,
folder where it was saved encrypted, chart), and its cancel stops after the current
question. Never touches widgets.
"""

from __future__ import annotations

from typing import Any, Callable

from desktop.workers.handle import Job


def _run_evaluation(lm: Any, on_progress: Callable, should_stop: Callable, *, spec: dict, concepts: list) -> Any:
    from desktop.engine.evaluate.request import EvalRequest, EvalSettings, run_request

    fields = dict(spec)
    request = EvalRequest(settings=EvalSettings(**fields.pop("settings", {})), **fields)
    return run_request(lm, request, concepts=concepts, should_stop=should_stop,
                       on_progress=lambda done, total, msg: on_progress((done, total, msg)))


def evaluation_job(spec: dict, concepts: list) -> Job:
    """A job for ``spec`` (``EvalRequest`` fields as plain data, ``settings`` as a dict of
    ``EvalSettings`` fields) over a snapshot of the glossary's ``concepts``."""
    return Job("evaluating", _run_evaluation, kwargs={"spec": spec, "concepts": concepts})
