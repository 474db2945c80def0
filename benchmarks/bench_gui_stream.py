"""Streaming into the window: does the GUI thread keep up, and does it stay responsive?

Run (headless): ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui_stream.py``
``[--rates 50,200,1000] [--tokens 1000] [--model DIR]``.

The real main window (sample glossary and conversations, nothing written to disk) asks a
question; the answer comes from the tests' fake engine (``tests/ui/fakes.py``) on the
model thread: the real worker with only its engine replaced, so tokens reach the GUI
through the real job handle and batching (one signal per 50 ms at most). A 5 ms
timer on the GUI thread records how late it fires: its worst lateness is the longest the
window was unresponsive while text streamed in (Markdown rendering included). Printed
per rate: tokens/s reaching the chat view against the engine's rate, signals per second,
the longest and the 99th-percentile stall of the GUI thread, and the time from Send to
the first text in the chat view.

``--model DIR`` also streams one answer from a real model through the real worker
(CUDA when present) and prints the engine's own tokens/s next to the rate at which text
reached the chat view. ``--shape qwen2.5-7b`` does the same with a model of that shape
built from its config with random weights on the GPU (no download, nothing written; a
word-level tokenizer made in code covers its whole vocabulary, so every token is a word
on screen), through the real worker and its fast path; ``--weights int8`` quantises it
first. A script, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


ANSWER = ("The CKD-EPI equation estimates the **glomerular filtration rate** from serum creatinine, age and "
          "sex; a value below 60 mL/min/1.73 m² for three months defines chronic kidney disease.\n\n"
          "- stage G3a: 45–59\n- stage G3b: 30–44\n\n")
ONE_PARAGRAPH = "CKD-EPI estimates the **glomerular filtration rate** from serum creatinine. "


def _measure(win, app, question: str, *, timeout_s: float = 600.0, typing_pause: float = 0.0,
             probe_ms: int = 5) -> dict:
    """Ask ``question`` in the window and time the answer; gives up (with a line saying what was
    seen and every thread's stack) when it has not finished after ``timeout_s``. With
    ``typing_pause`` the question sits in the box that long before Send (a person finishing
    typing); without, it is sent at once (pasted and sent)."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    ticks: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer()
    timer.setInterval(probe_ms)
    signals: list[tuple[float, int]] = []
    done: dict = {}

    def tick() -> None:
        ticks.append(clock.nsecsElapsed() / 1e9)

    def delta(text: str) -> None:
        signals.append((time.perf_counter(), len(text)))

    def finished(message: dict) -> None:
        done["msg"] = message

    def failed(sentence: str) -> None:
        done["error"] = sentence

    timer.timeout.connect(tick)
    win.session.answer_delta.connect(delta)
    win.session.answer_finished.connect(finished)
    win.session.answer_failed.connect(failed)
    win.chat.input.setPlainText(question)
    if typing_pause > 0:
        pause = QEventLoop()
        QTimer.singleShot(int(typing_pause * 1000), pause.quit)
        pause.exec()
    timer.start()
    # a backstop that needs neither the GIL nor this thread: if the GUI thread itself stops (the
    # loop below then never compares the clock), faulthandler's own thread prints every
    # thread's stack and ends the process
    faulthandler.dump_traceback_later(timeout_s + 20, exit=True)
    # the window's own event loop, as in the app: it sleeps until an event comes (a loop of
    # processEvents() calls would keep the GUI thread busy and take a core from the engine)
    loop = QEventLoop()
    for signal in (win.session.answer_finished, win.session.answer_failed):
        signal.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    t0, cpu0 = time.perf_counter(), time.thread_time()
    win.chat.send_btn.click()
    if "msg" not in done and "error" not in done:
        loop.exec()
    gui_cpu = (time.thread_time() - cpu0) / max(time.perf_counter() - t0, 1e-9)
    faulthandler.cancel_dump_traceback_later()
    timer.stop()
    if "error" in done:
        _give_up(f"generation failed: {done['error']}")
    if "msg" not in done:
        _give_up(f"no answer after {timeout_s:.0f} s: {len(signals)} text deltas reached the session, "
                 f"send button enabled: {win.chat.send_btn.isEnabled()}; threads:", stacks=True)
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    stalls = sorted(max(0.0, g - probe_ms / 1e3) for g in gaps) or [0.0]
    span = (signals[-1][0] - signals[0][0]) if len(signals) > 1 else 0.0
    stats = done["msg"].get("stats") or {}
    n = stats.get("new_tokens") or 0
    ttft = stats.get("ttft_s") or 0.0
    shown = (signals[-1][0] - t0 - ttft) if signals else 0.0  # from the first token to the last text shown
    return {"tokens": n, "engine_tok_s": stats.get("tok_s", 0.0), "ttft_ms": ttft * 1e3, "prompt": done["msg"].get("prompt"),
            "prompt_tokens": stats.get("prompt_tokens") or 0,
            "first_text_ms": (signals[0][0] - t0) * 1e3 if signals else 0.0,
            "view_tok_s": n / shown if shown > 0 else 0.0,
            "signals_per_s": (len(signals) - 1) / span if span > 0 else 0.0,
            "max_stall_ms": stalls[-1] * 1e3, "p99_stall_ms": stalls[int(0.99 * (len(stalls) - 1))] * 1e3,
            "median_tick_ms": statistics.median(gaps) * 1e3 if gaps else 0.0, "gui_cpu": gui_cpu}


def _give_up(sentence: str, *, stacks: bool = False) -> None:
    """Say why on stderr (with every thread's stack) and leave at once: the model thread may
    still be busy, and waiting for it is what went wrong."""
    print(sentence, file=sys.stderr, flush=True)
    if stacks:
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    sys.stderr.flush()
    os._exit(1)


def word_tokenizer(vocab_size: int):
    """A tokenizer with ``vocab_size`` tokens, each one short word, and a ChatML template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from tests.tiny import CHATML

    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    vocab = {t: i for i, t in enumerate(special)}
    for i in range(len(special), vocab_size):
        vocab[f"w{i}"] = i
    # a word outside the vocabulary becomes the ordinary word "w3", not a special token: a prompt
    # of such words must not teach a random model to answer with tokens that decode to nothing
    tok = Tokenizer(models.WordLevel(vocab, unk_token="w3"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")  # words joined by spaces
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   additional_special_tokens=special)
    fast.chat_template = CHATML
    return fast


def random_model_loader(shape: str, weights: str):
    """A ``load_fn`` for ``ModelWorker``: a ``LoadedModel`` of ``shape`` with random weights."""

    def load(path: str, device: str | None = None, on_progress=None, **_kw):
        import torch

        from desktop.engine import quant
        from desktop.engine.bench import build_model
        from desktop.engine.models import LoadedModel, ModelInfo, pick_device

        device = pick_device(device)
        t0 = time.perf_counter()
        model = build_model(shape, device=device)
        quant.quantize_model(model, weights)
        cfg = model.config
        n = sum(p.numel() for p in model.parameters())
        info = ModelInfo(
            path=Path(path), name=f"{shape} shape, random weights", model_type=cfg.model_type,
            architecture="Qwen2ForCausalLM", n_params=n, weights_dtype="BF16" if device.startswith("cuda") else "F32",
            size_bytes=quant.weight_bytes(model), context_length=cfg.max_position_embeddings,
            n_layers=cfg.num_hidden_layers, hidden_size=cfg.hidden_size, n_kv_heads=cfg.num_key_value_heads,
            head_dim=cfg.hidden_size // cfg.num_attention_heads, has_chat_template=True,
        )
        lm = LoadedModel(model=model, tokenizer=word_tokenizer(cfg.vocab_size), info=info, device=device,
                         dtype=str(next(model.parameters()).dtype).replace("torch.", ""),
                         load_s=time.perf_counter() - t0, fingerprint=f"random-{shape}", weights=weights)
        if device.startswith("cuda"):
            from desktop.engine.fastgen import attach

            attach(lm, on_progress=on_progress)
            torch.cuda.synchronize()
        return lm

    return load


def _on_model_thread(app, worker, fn, **kwargs):
    """``fn(lm, **kwargs)`` run as a job on the model thread (llama.cpp's threads belong to the
    thread that calls it: a second calling thread starts a second team of them); its result."""
    from PySide6.QtCore import QEventLoop

    from desktop.workers.model_worker import Job

    out: list = []
    loop = QEventLoop()
    handle = worker.submit(Job(doing="timing llama.cpp alone",
                               fn=lambda lm, on_progress=None, should_stop=None, **kw: fn(lm, **kw), kwargs=kwargs))
    handle.finished.connect(lambda result: (out.append(result), loop.quit()))
    handle.failed.connect(lambda sentence: (out.append(sentence), loop.quit()))
    loop.exec()
    if isinstance(out[0], str):
        _give_up(f"timing llama.cpp alone failed: {out[0]}")
    return out[0]


def _llama_alone(lm, *, prompt: str, tokens: int, penalty: float) -> float:
    """Decode tokens/s of llama-cpp-python's own loop on ``prompt`` (as many tokens as the window's
    answer had), in this process with the window idle: what the window's rate is read against."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_engines import llama_alone

    rate = llama_alone(lm, lm.tokenizer(prompt)["input_ids"], max(tokens, 2), penalty)[0]
    lm.model.llm.reset()  # the window decodes its next prompt from nothing, as after a load
    return rate


def _stream_real(app, ctx, args, *, start) -> int:
    """One answer from a real engine through the real worker; prints engine and chat-view rates."""
    from desktop.ui.main_window import MainWindow

    ctx.settings.max_new_tokens = args.tokens
    if args.system is not None:
        ctx.settings.system_prompt = args.system
    if args.no_injection:
        ctx.settings.injection = False
    if args.penalty is not None:
        ctx.settings.repetition_penalty = args.penalty
    win = MainWindow(ctx)
    win.resize(1280, 800)
    win.show()
    info: list = []
    results: list[dict] = []

    def on_model(result: dict) -> None:
        info.append(result)

    def on_model_failed(sentence: str) -> None:
        info.append({"error": sentence})

    ctx.worker.loaded.connect(on_model)
    ctx.worker.load_failed.connect(on_model_failed)
    t0 = time.perf_counter()
    start(win)
    while not info:
        app.processEvents()
        time.sleep(0.005)
    if "error" in info[0]:
        print(f"error: {info[0]['error']}", file=sys.stderr)
        return 1
    print(f"loaded {info[0].get('name')} on {info[0].get('device')} ({info[0].get('dtype')}, "
          f"{info[0].get('weights', 'full')} weights, decode path: {info[0].get('fast') or 'plain'}) "
          f"in {time.perf_counter() - t0:.1f} s")
    for i in range(args.answers):
        if args.new_chat:
            win.session.new()
        question = args.question if args.new_chat or not i else f"{args.question} ({i + 1})"
        r = _measure(win, app, question, timeout_s=args.answer_timeout, typing_pause=args.typing_pause,
                     probe_ms=args.probe_ms)
        results.append({k: v for k, v in r.items() if k != "prompt"})
        print(f"answer {i + 1} ({r['prompt_tokens']} prompt tokens): first token {r['ttft_ms']:.0f} ms (Send to first text {r['first_text_ms']:.0f} ms), engine {r['engine_tok_s']:.1f} tok/s, "
              f"chat view {r['view_tok_s']:.1f} tok/s "
              f"({r['tokens']} tokens, {100 * r['view_tok_s'] / max(r['engine_tok_s'], 1e-9):.0f}% of the engine's "
              f"rate), max stall {r['max_stall_ms']:.1f} ms, p99 stall {r['p99_stall_ms']:.1f} ms, "
              f"GUI thread busy {100 * r['gui_cpu']:.0f}% of the time")
        lm = getattr(ctx.worker, "lm", None)
        if getattr(lm, "engine", "") == "llama.cpp" and r["prompt"]:
            alone = _on_model_thread(app, ctx.worker, _llama_alone, prompt=r["prompt"], tokens=r["tokens"],
                                     penalty=ctx.settings.repetition_penalty)
            print(f"          the same prompt through llama.cpp alone (no window, no TermLens loop): "
                  f"{alone:.1f} tok/s; the window reached {100 * r['view_tok_s'] / alone:.0f}% of it")
            results[-1]["llama_alone_tok_s"] = alone
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    win.close()
    app.processEvents()
    return 0


def main(argv: list[str] | None = None) -> int:
    from desktop.engine.quant import WEIGHT_MODES

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rates", default="50,200,1000", help="fake engine rates, tokens/s (default 50,200,1000)")
    ap.add_argument("--tokens", type=int, default=1000, help="tokens per answer (default 1000)")
    ap.add_argument("--model", help="also stream one answer from this model folder through the real worker")
    ap.add_argument("--shape", help="also stream from a model of this shape with random weights (e.g. qwen2.5-7b "
                                    "on a GPU, tiny on a CPU) through the real worker")
    ap.add_argument("--weights", choices=WEIGHT_MODES, default="full", help="with --shape: int8 quantises it")
    ap.add_argument("--answers", type=int, default=1, help="answers streamed from a real engine (default 1)")
    ap.add_argument("--probe-ms", type=int, default=5,
                    help="with a real engine: the GUI-thread timer that measures stalls fires every this many ms "
                         "(default 5; it takes a little of the CPU the engine would use)")
    ap.add_argument("--question", default="Explain in detail what the CKD-EPI equation estimates and how it is used.",
                    help="the question asked of a real engine (follow-ups add ' (2)', ' (3)', ...)")
    ap.add_argument("--system", help="with a real engine: the system prompt (default: the app's)")
    ap.add_argument("--no-injection", action="store_true", help="with a real engine: no definitions injected")
    ap.add_argument("--penalty", type=float, help="with a real engine: the repetition penalty (default: the app's)")
    ap.add_argument("--new-chat", action="store_true",
                    help="with a real engine: each answer in a new conversation, the same question each time")
    ap.add_argument("--json", help="with a real engine: write each answer's figures to this file")
    ap.add_argument("--typing-pause", type=float, default=0.0,
                    help="seconds each question stays in the box before Send with a real engine (a person finishing "
                         "typing: llama.cpp decodes its prompt meanwhile); default 0, sent at once")
    ap.add_argument("--answer-timeout", type=float, default=600,
                    help="seconds an answer may take before the script gives up and prints every thread's stack")
    ap.add_argument("--one-paragraph", dest="answer", action="store_const", const=ONE_PARAGRAPH, default=ANSWER,
                    help="stream one long paragraph (the worst case: it is rendered again whole each frame)")
    args = ap.parse_args(argv)

    import tempfile

    os.environ.setdefault("TERMLENS_HOME", tempfile.mkdtemp(prefix="termlens-bench-"))
    os.environ.setdefault("TERMLENS_KEYRING", "memory")  # the throwaway folder's key never reaches the system keyring
    from desktop import log

    log.setup()  # the engine's log (warm-up phases, kernel tuning) goes to the data folder's logs/, as the app's does
    from desktop.ui.app import make_app
    from desktop.app import open_context
    from desktop.ui.main_window import MainWindow

    app = make_app()
    question = "What does CKD-EPI estimate?"
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    if rates:
        print(f"{'engine tok/s':>12}  {'view tok/s':>10}  {'signals/s':>9}  {'max stall ms':>12}  {'p99 stall ms':>12}  "
              f"{'first text ms':>13}  {'GUI busy %':>10}")
    for rate in rates:
        from tests.ui.fakes import FakeWorker

        ctx = open_context(model="fake-engine", worker=FakeWorker(rate=rate, answer=args.answer))
        ctx.settings.max_new_tokens = args.tokens
        win = MainWindow(ctx)
        win.resize(1280, 800)
        win.show()
        loaded: list = []

        def on_loaded(info: dict, loaded=loaded) -> None:
            loaded.append(info)

        ctx.worker.loaded.connect(on_loaded)
        win.session.open(0)
        ctx.worker.request_load("fake-engine")
        while not loaded:
            app.processEvents()
            time.sleep(0.001)
        r = _measure(win, app, question)
        print(f"{rate:>12.0f}  {r['view_tok_s']:>10.1f}  {r['signals_per_s']:>9.1f}  {r['max_stall_ms']:>12.1f}  "
              f"{r['p99_stall_ms']:>12.1f}  {r['first_text_ms']:>13.1f}  {100 * r['gui_cpu']:>10.0f}")
        win.close()
        app.processEvents()

    if rates and (args.model or args.shape):
        print()
    if args.model:
        if _stream_real(app, open_context(model=args.model), args, start=lambda win: win.start()):
            return 1
    if args.shape:
        from desktop.engine.bench import SHAPES
        from desktop.workers.model_worker import ModelWorker

        if args.shape not in SHAPES:
            print(f"error: unknown shape {args.shape!r}; choose one of {', '.join(sorted(SHAPES))}", file=sys.stderr)
            return 2
        worker = ModelWorker(load_fn=random_model_loader(args.shape, args.weights))
        ctx = open_context(model=f"random-{args.shape}", worker=worker)

        def start(win) -> None:
            win.session.open(0)
            ctx.worker.request_load(f"random-{args.shape}")

        if _stream_real(app, ctx, args, start=start):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
