"""Speculative-decoding benchmark: what prompt-lookup drafting gains, measured in two honest parts.

Random weights never copy their prompt, so drafts would always fail on the benchmark's
random models. The gain is therefore measured as two separate figures:

- **with a real model** (``run_real``; the default model unless ``--model`` names another):
  a built-in rewriting task (a ~400-token contract clause to rewrite with one term
  changed) and ordinary questions, each answered greedily with drafting off and on through
  the decoder the app uses on that device: tokens per forward pass, tokens per second
  (end to end, the prompt pass included), and whether the tokens are identical;
- **on a model shape** (``verify_cost``, the 7B shape on a GPU): the time of one verify pass
  of k+1 positions against one single-token step, k = 2..8, both as captured graphs. With
  the real model's tokens per pass, this is what drafting would give that shape.

Knows nothing of Qt; prints through ``emit``.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any, Callable

CLAUSE = (
    "Force Majeure. Neither Party shall be liable for any failure or delay in performing its obligations under this "
    "Agreement to the extent that such failure or delay is caused by an event beyond its reasonable control, "
    "including without limitation acts of God, flood, fire, earthquake, epidemic, pandemic, war, invasion, "
    "hostilities, terrorist acts, riot or other civil unrest, government order, law or action, embargoes or "
    "blockades, national or regional emergency, strikes, labour stoppages or slowdowns or other industrial "
    "disturbances, and shortage of adequate power or transportation facilities (each a \"Force Majeure Event\"). "
    "The Party affected by a Force Majeure Event shall give written notice to the other Party within five (5) "
    "Business Days of the occurrence of the Force Majeure Event, stating the period of time the occurrence is "
    "expected to continue, and shall use diligent efforts to end the failure or delay and ensure that the effects "
    "of such Force Majeure Event are minimised. The affected Party shall resume the performance of its obligations "
    "as soon as reasonably practicable after the removal of the cause. In the event that the affected Party's "
    "failure or delay remains uncured for a period of thirty (30) consecutive days following written notice given "
    "by it under this Section, either Party may thereafter terminate this Agreement upon ten (10) days' written "
    "notice to the other Party, without liability of either Party to the other, save for any amounts accrued and "
    "payable before the date of termination. Nothing in this Section shall excuse the Customer from its "
    "obligation to pay the Fees for Services performed before the Force Majeure Event, and no Force Majeure Event "
    "shall relieve the Supplier of its obligations in respect of confidentiality and data protection under this "
    "Agreement, which shall continue to apply in full during any period of suspension."
)
REWRITE = ("Rewrite the following clause exactly as it is, word for word, except that every occurrence of "
           "\"Force Majeure Event\" becomes \"Excused Event\". Output only the rewritten clause.\n\n" + CLAUSE)
QUESTIONS = (
    "What is the difference between a warranty and an indemnity in a commercial contract?",
    "Explain in a few sentences what chronic kidney disease stage 3 means for a patient.",
    "What should a tenant check before signing a lease for an office?",
)


def _decoder(lm, *, drafting: bool):
    from desktop.engine.generate import PlainDecoder

    decoder = lm.fast if lm.fast is not None else PlainDecoder(lm.model, lm.device)
    decoder.speculate = drafting
    return decoder


def _answer(lm, question: str, settings, timed_decode: Callable) -> dict[str, Any]:
    """One greedy answer through the app's decoder, drafting off then on: speed and passes."""
    from desktop.engine.generate import prepare

    messages = [{"role": "user", "content": question}]
    prompt = prepare(lm.tokenizer, messages, context_length=lm.context_length, max_new_tokens=settings.max_new_tokens)
    out: dict[str, Any] = {"prompt_tokens": len(prompt.input_ids)}
    tokens = {}
    for drafting in (False, True):
        decoder = _decoder(lm, drafting=drafting)
        t0 = time.perf_counter()
        res = timed_decode(decoder, prompt.input_ids, settings=settings)
        total = time.perf_counter() - t0
        key = "on" if drafting else "off"
        tokens[key] = res["tokens"]
        out[f"tok_s_{key}"] = len(res["tokens"]) / total  # end to end: the prompt pass included
        out[f"decode_tok_s_{key}"] = res["tok_s"]
        if drafting and decoder.spec_stats is not None:
            out["stats"] = decoder.spec_stats.as_dict()
    out["new_tokens"] = len(tokens["off"])
    out["identical"] = tokens["on"] == tokens["off"]
    out["speedup"] = out["tok_s_on"] / out["tok_s_off"] if out["tok_s_off"] else 0.0
    out["answer_start"] = lm.tokenizer.decode(tokens["off"][:40], skip_special_tokens=True)
    return out


def run_real(*, timed_decode: Callable, model: str | None = None, device: str | None = None, new: int = 256,
             repeat: int = 2, penalty: float | None = None, emit: Callable[[str], None] = print) -> dict[str, Any]:
    """Drafting off and on with a real model: the rewriting task and ordinary questions.
    ``timed_decode`` is the decode benchmark's timer (``desktop.engine.bench``)."""
    import torch

    from desktop.engine.generate import GenerationSettings
    from desktop.engine.models import default_model_dir, load_model

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    lm = load_model(model or default_model_dir(), device=device, dtype="float32" if device == "cpu" else None)
    if penalty is None:
        try:
            from desktop.storage.config import Settings

            penalty = float(getattr(Settings(), "repetition_penalty", 1.0))
        except Exception:  # noqa: BLE001 - the app's default when it can be read
            penalty = 1.0
    settings = GenerationSettings(max_new_tokens=new, temperature=0.0, repetition_penalty=penalty)
    r: dict[str, Any] = {"model": str(model or default_model_dir()), "device": device, "new": new,
                         "repetition_penalty": penalty, "path": "fast" if lm.fast is not None else "plain"}
    emit(f"real model {r['model']} on {device} ({r['path']} path), greedy, repetition penalty {penalty}, "
         f"up to {new} new tokens; drafting off then on, best of {repeat}")
    tasks = [("rewrite", REWRITE)] + [(f"question {i + 1}", q) for i, q in enumerate(QUESTIONS)]
    for name, text in tasks:
        runs = [_answer(lm, text, settings, timed_decode) for _ in range(max(1, repeat))]
        best = max(runs, key=lambda x: x["speedup"])
        best["speedup_runs"] = [round(x["speedup"], 3) for x in runs]
        best["identical"] = all(x["identical"] for x in runs)
        r[name] = best
        s = best.get("stats", {})
        emit(f"{name}: {best['prompt_tokens']} prompt tokens, {best['new_tokens']} new; "
             f"{best['tok_s_off']:.1f} -> {best['tok_s_on']:.1f} tok/s end to end ({best['speedup']:.2f}x, runs "
             f"{best['speedup_runs']}), {s.get('tokens_per_pass', 0):.2f} tokens per pass, "
             f"{s.get('accepted', 0)}/{s.get('drafted', 0)} drafted tokens kept, {s.get('pauses', 0)} pauses; "
             f"identical: {best['identical']}")
    questions = [r[f"question {i + 1}"]["speedup"] for i in range(len(QUESTIONS))]
    r["rewrite_speedup"] = r["rewrite"]["speedup"]
    r["questions_speedup_min"] = min(questions)
    r["questions_speedup_median"] = statistics.median(questions)
    return r


def verify_cost(fd, *, ks=range(2, 9), reps: int = 20, emit: Callable[[str], None] = print) -> dict[str, Any]:
    """Seconds of one verify pass of k+1 positions against one single-token step (greedy), k in ``ks``."""
    import torch

    from desktop.engine.fast_verify import VerifyPass

    cuda = fd.device.type == "cuda"
    out: dict[str, Any] = {}

    def timed(fn) -> float:
        best = float("inf")
        for _ in range(3):
            if cuda:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                for _ in range(reps):
                    fn()
                end.record()
                end.synchronize()
                best = min(best, start.elapsed_time(end) / 1e3 / reps)
            else:
                t0 = time.perf_counter()
                for _ in range(reps):
                    fn()
                best = min(best, (time.perf_counter() - t0) / reps)
        return best

    window = fd.windows[0]
    with torch.no_grad():
        if cuda:
            if (window, True) not in fd._graphs:
                fd._capture(window, True)
            step_graph = fd._graphs[(window, True)]

            def step():
                fd._pos.fill_(256)
                step_graph.replay()
        else:
            def step():
                fd._eager_step(1, 256, True)
        base = timed(step)
        out["step_ms"] = base * 1e3
        for k in ks:
            vp = VerifyPass(fd, options={}, width=k + 1)
            if cuda:
                vp.capture(window)
                graph = vp._graphs[window]

                def verify():
                    fd._pos.fill_(256)
                    graph.replay()
            else:
                def verify():
                    vp._eager([1] * (k + 1), 256)
            t = timed(verify)
            out[f"k{k}"] = {"ms": t * 1e3, "ratio": t / base}
            vp.clear()
        if cuda:
            from desktop.engine import fast_step, int8_gemv

            for module, flag in ((int8_gemv, "ROWS_BF16"), (fast_step, "FOLD_HEADS")):
                out[f"k4_{flag}_{not getattr(module, flag)}"] = _verify_variant(fd, window, timed, module, flag) / base
            out["profile"] = verify_profile(fd, window, emit=emit)
    emit(f"verify pass against one step ({fd.windows[0]}-position window): one step {out['step_ms']:.3f} ms; "
         + ", ".join(f"k={k}: {out[f'k{k}']['ratio']:.3f}x" for k in ks)
         + "".join(f"; {key}: {v:.3f}x" for key, v in out.items() if key.startswith("k4_")))
    return out


def _verify_variant(fd, window: int, timed: Callable, module, flag: str) -> float:
    """Seconds of a k=4 verify pass with ``module.flag`` turned the other way (the alternative the
    default was chosen against, measured in the same run): ``int8_gemv.ROWS_BF16`` (the verify
    pass's full-precision products through the Triton kernel rather than cuBLAS) or
    ``fast_step.FOLD_HEADS`` (attention over the query heads folded per KV head)."""
    from desktop.engine.fast_verify import VerifyPass

    before = getattr(module, flag)
    setattr(module, flag, not before)
    try:
        vp = VerifyPass(fd, options={}, width=5)
        vp.capture(window)
        graph = vp._graphs[window]

        def verify():
            fd._pos.fill_(256)
            graph.replay()

        t = timed(verify)
        vp.clear()
        return t
    finally:
        setattr(module, flag, before)


def verify_profile(fd, window: int, *, emit: Callable[[str], None] = print, top: int = 12) -> dict[str, Any]:
    """GPU kernel time of one step and of one k=4 verify pass, kernel by kernel (run without graphs,
    so the launches are separate; the device times are what the graphs replay)."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from desktop.engine.fast_verify import VerifyPass

    vp = VerifyPass(fd, options={}, width=5)
    runs = {"step": lambda: fd._step(window, True), "verify k=4": lambda: vp._graph_pass(window)}
    out: dict[str, Any] = {}
    with torch.no_grad():
        for name, fn in runs.items():
            for _ in range(2):
                fd._pos.fill_(256)
                fn()
            torch.cuda.synchronize()
            with profile(activities=[ProfilerActivity.CUDA]) as prof:
                for _ in range(5):
                    fd._pos.fill_(256)
                    fn()
                torch.cuda.synchronize()
            rows = sorted(((e.key[:80], e.self_device_time_total / 5, e.count // 5) for e in prof.key_averages()
                           if getattr(e, "self_device_time_total", 0) > 0), key=lambda r: -r[1])
            out[name] = {"kernel_us": sum(r[1] for r in rows), "top": rows[:top]}
            emit(f"{name}: GPU kernels {out[name]['kernel_us']:.0f} us; top (us, launches):")
            for key, us, count in rows[:top]:
                emit(f"  {us:8.1f} {count:5}  {key}")
    return out
