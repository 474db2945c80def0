"""Do long answers loop? The share of answers that repeat themselves, before and after the chat's
repetition defaults, on 30 fixed questions with the default model.

    python benchmarks/bench_repetition.py [--model DIR] [--max-new-tokens 512] [--n 30]
                                          [--configs before,after,ngram] [--json FILE]

Each question goes through the chat's own path (``desktop.prompting.prepare_turn`` with the
starter glossaries, injection on, the chat's system prompt), greedy, under each configuration:

``before``  no repetition control (what the chat did before);
``after``   the chat's defaults (``desktop.storage.config.Settings``: repetition penalty);
``ngram``   the defaults plus blocking any repeated 4-token run (``no_repeat_ngram_size=4``).

An answer *loops* when a word 4-gram occurs three times or more in it; it has a *repeated
sentence* when one sentence of four words or more occurs twice. Both are counted on words
(lower-cased, punctuation stripped), so they do not depend on the tokenizer. Also printed:
answers that hit the token limit, mean length, and the answers' decode time.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = [
    "Explain atrial fibrillation in detail: causes, diagnosis and treatment.",
    "What is the CHA2DS2-VASc score and how is it used?",
    "Describe how eGFR is estimated and what the CKD-EPI equation does.",
    "Explain sepsis and septic shock to a new nurse.",
    "What is heart failure with reduced ejection fraction, and how is it treated?",
    "Explain the difference between type 1 and type 2 diabetes.",
    "What does HbA1c measure and why does it matter?",
    "Describe the stages of chronic kidney disease.",
    "Explain what a myocardial infarction is and how it is diagnosed.",
    "What is hypertension and how is it managed?",
    "Explain force majeure in contracts, with examples.",
    "What is a tort? Give several examples.",
    "Explain the difference between a contract and an agreement.",
    "What is consideration in contract law?",
    "Describe what due diligence involves in an acquisition.",
    "Explain the doctrine of precedent.",
    "What is an indemnity clause and why is it used?",
    "Explain limitation periods in civil claims.",
    "What is intellectual property? Describe its main kinds.",
    "Explain the role of an arbitrator.",
    "Explain EBITDA and why analysts use it.",
    "What is the difference between assets and liabilities?",
    "Describe how a balance sheet is structured.",
    "Explain net present value and how to compute it.",
    "What is working capital and why does it matter?",
    "Explain what a bond yield is.",
    "Describe the main kinds of financial risk.",
    "Explain depreciation and amortisation.",
    "What is a discounted cash flow model?",
    "Explain inflation and how central banks respond to it.",
]

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|\n+")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def loops(text: str, n: int = 4, times: int = 3) -> bool:
    """A word n-gram occurs ``times`` times or more."""
    w = words(text)
    grams = Counter(tuple(w[i:i + n]) for i in range(len(w) - n + 1))
    return any(c >= times for c in grams.values())


def repeated_sentence(text: str, min_words: int = 4) -> bool:
    """One sentence (of ``min_words`` words or more) occurs twice."""
    seen: set[tuple[str, ...]] = set()
    for s in _SENTENCE.split(text):
        key = tuple(words(s))
        if len(key) < min_words:
            continue
        if key in seen:
            return True
        seen.add(key)
    return False


def summarise(rows: list[dict], s, secs: float) -> dict:
    n = max(1, len(rows))
    return {
        "n": len(rows), "repetition_penalty": s.repetition_penalty, "no_repeat_ngram_size": s.no_repeat_ngram_size,
        "loops": sum(r["loops"] for r in rows) / n,
        "repeated_sentence": sum(r["repeated_sentence"] for r in rows) / n,
        "either": sum(r["loops"] or r["repeated_sentence"] for r in rows) / n,
        "at_limit": sum(r["finish"] == "length" for r in rows) / n,
        "mean_tokens": sum(r["tokens"] for r in rows) / n,
        "tok_s": sum(r["tokens"] for r in rows) / secs if secs else 0.0, "seconds": round(secs, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", metavar="DIR", help="model folder (default: the installed default model)")
    ap.add_argument("--max-new-tokens", type=int, default=512, help="the chat's answer limit (default 512)")
    ap.add_argument("--n", type=int, default=len(QUESTIONS), help=f"first N questions (default {len(QUESTIONS)})")
    ap.add_argument("--configs", default="before,after,ngram", help="comma-separated: before, after, ngram")
    ap.add_argument("--json", metavar="FILE", help="also write every answer and figure as JSON")
    ap.add_argument("--threads", type=int, help="CPU threads (default: torch's choice)")
    args = ap.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    from desktop.engine import generate
    from desktop.engine.evaluate.request import starter_concepts
    from desktop.engine.models import default_model_dir, load_model
    from desktop.prompting import prepare_turn
    from desktop.storage.config import Settings
    from glossary.matcher import Matcher

    chat = Settings()
    configs = {
        "before": generate.settings_from(chat, repetition_penalty=1.0, no_repeat_ngram_size=0, temperature=0.0),
        "after": generate.settings_from(chat, temperature=0.0),
        "ngram": generate.settings_from(chat, temperature=0.0, no_repeat_ngram_size=4),
    }
    wanted = [c.strip() for c in args.configs.split(",") if c.strip()]
    if unknown := [c for c in wanted if c not in configs]:
        ap.error(f"unknown configuration {unknown[0]!r}; choose from {', '.join(configs)}")
    lm = load_model(args.model or default_model_dir(), device="cpu")
    matcher = Matcher(starter_concepts())
    tok = lm.tokenizer

    def count(text: str) -> int:
        return len(tok(text, add_special_tokens=False)["input_ids"])

    questions = QUESTIONS[: max(1, args.n)]
    out: dict = {"model": lm.info.name, "max_new_tokens": args.max_new_tokens, "questions": len(questions),
                 "configs": {}}
    print(f"{lm.info.name}, {len(questions)} questions, up to {args.max_new_tokens} new tokens, greedy")
    print(f"{'config':<8} {'penalty':>7} {'ngram':>5} {'loops':>7} {'rep.sent':>8} {'either':>7} {'at limit':>8} "
          f"{'mean tok':>8} {'tok/s':>6}")
    rows: dict[str, list[dict]] = {name: [] for name in wanted}
    secs: dict[str, float] = {name: 0.0 for name in wanted}
    for name in wanted:
        configs[name].max_new_tokens = args.max_new_tokens
    # question by question, every configuration in turn: a run cut short still compares like with like
    for i, q in enumerate(questions, 1):
        turn = prepare_turn(q, matcher=matcher, base_system=chat.system_prompt, injection=True,
                            budget_tokens=chat.injection_budget, count_tokens=count)
        for name in wanted:
            t0 = time.perf_counter()
            g = generate.generate(lm, turn.messages, settings=configs[name])
            secs[name] += time.perf_counter() - t0
            rows[name].append({"question": q, "answer": g.text, "tokens": g.stats.new_tokens,
                               "finish": g.stats.finish_reason, "loops": loops(g.text),
                               "repeated_sentence": repeated_sentence(g.text)})
            print(f"  {i}/{len(questions)} {name}: {g.stats.new_tokens} tokens, loops {rows[name][-1]['loops']}, "
                  f"repeated sentence {rows[name][-1]['repeated_sentence']}", file=sys.stderr, flush=True)
        for name in wanted:
            out["configs"][name] = {"summary": summarise(rows[name], configs[name], secs[name]),
                                    "answers": rows[name]}
        if args.json:
            Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    for name in wanted:
        sm, s = out["configs"][name]["summary"], configs[name]
        print(f"{name:<8} {s.repetition_penalty:>7.2f} {s.no_repeat_ngram_size:>5} {sm['loops']:>7.0%} "
              f"{sm['repeated_sentence']:>8.0%} {sm['either']:>7.0%} {sm['at_limit']:>8.0%} "
              f"{sm['mean_tokens']:>8.0f} {sm['tok_s']:>6.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
