"""``main.py ask "QUESTION"``: one answer streamed to stdout, with glossary injection."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from desktop.engine.quant import WEIGHT_MODES

    p = sub.add_parser("ask", help="answer one question in the terminal")
    p.add_argument("question")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object {answer, terms, answer_terms, term_issues, prompt_tokens, new_tokens, "
                        "ttft_s, tok_s, model}")
    p.add_argument("--model", metavar="DIR", help="model folder (default: the embedded default model)")
    p.add_argument("--adapter", metavar="NAME", help="apply this LoRA adapter")
    p.add_argument("--weights", choices=WEIGHT_MODES, default=None,
                   help="int8: linear layers in 8 bits, about half the memory (default: the app's setting)")
    p.add_argument("--no-inject", action="store_true", help="do not put glossary definitions into the prompt")
    p.add_argument("--max-new-tokens", type=int, default=None)
    p.add_argument("--temperature", type=float, default=None, help="0 is greedy (default: the app's setting)")
    p.add_argument("--greedy", action="store_true", help="greedy decoding whatever the settings say (temperature 0)")
    p.add_argument("--top-p", type=float, default=None, help="nucleus sampling share (default: the app's setting)")
    p.add_argument("--seed", type=int, default=None, help="fixes sampling, so an answer can be reproduced")
    p.add_argument("--repetition-penalty", type=float, default=None, metavar="X",
                   help="above 1, tokens the answer already used become less likely (default: the app's setting, 1.2)")
    p.add_argument("--no-repeat-ngram", type=int, default=None, metavar="N",
                   help="never repeat a run of N tokens in the answer (0: off; default: the app's setting)")
    p.add_argument("--inject-position", choices=("system", "inline", "both"), default=None,
                   help="where the definitions go: the system prompt, inline after each term's first mention in "
                        "the question, or both (default: the app's setting)")
    p.add_argument("--inject-related", type=int, default=0, metavar="N",
                   help="also give up to N related concepts the question does not name (cross-references, concepts "
                        "a definition names, the same subject field), in the system prompt (default 0)")
    p.add_argument("--show-prompt", action="store_true", help="print the prompt the model received to stderr")
    p.add_argument("--engine", choices=("auto", "transformers", "llama.cpp"), default="auto",
                   help="auto: llama.cpp for a GGUF model on a CPU, else transformers")
    p.add_argument("--server", metavar="URL",
                   help="answer through an OpenAI-compatible server on your network (e.g. http://gpu-server:8000/v1); "
                        "the API key is TERMLENS_SERVER_KEY, else the one the window kept for that address")
    p.add_argument("--server-model", metavar="NAME", default="", help="the server's model or adapter (default: its first)")
    p.add_argument("--ca-cert", metavar="FILE", default="", help="the CA certificate that signs the server's certificate")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the server's next bytes")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from desktop import paths
    from desktop.storage import config
    from desktop.storage.appdata import open_conversations, open_glossary
    from desktop.engine import generate
    from desktop.errors import ModelLoadError
    from desktop.prompting import prepare_turn
    from desktop.tokens import TokenCounter
    from glossary.matcher import Matcher

    settings = config.load()
    model_dir = args.model or settings.model_path or str(paths.default_model_dir())
    if (not args.model and not args.server and not (paths.default_model_dir() / "config.json").is_file()
            and not settings.model_path):
        raise ModelLoadError("The default model is not installed yet. Run: python main.py models fetch-default")
    if args.adapter:
        from desktop.engine import adapters

        adapters.read_meta(args.adapter)  # a wrong name or a damaged adapter fails before the model loads
    store = open_glossary()
    try:
        with open_conversations() as private:  # the instructions to the model live there, encrypted
            config.apply_private(settings, private)
        matcher = Matcher.from_store(store, follow=False, active_fields=settings.active_fields)
        turn = prepare_turn(
            args.question, matcher=matcher, base_system=settings.system_prompt,
            injection=settings.injection and not args.no_inject, budget_tokens=settings.injection_budget,
            count_tokens=TokenCounter(model_dir), position=args.inject_position or settings.injection_position,
            related=max(0, args.inject_related), pool=store.iter_concepts() if args.inject_related > 0 else None,
        )
    finally:
        store.close()
    if args.server:
        import os

        from desktop.engine import server_backend

        lm = server_backend.connect(server_backend.ServerConfig(
            url=args.server, model=args.server_model, ca_cert=args.ca_cert, timeout_s=args.timeout,
            api_key=os.environ.get("TERMLENS_SERVER_KEY", "") or server_key(args.server)))
    else:
        from desktop.engine import engines

        lm = engines.load(model_dir, weights=args.weights or settings.weights, engine=args.engine)
    if args.adapter:
        from desktop.engine import adapters

        adapters.apply_adapter(lm, args.adapter)
    gen_settings = generate.settings_from(  # the chat's settings, then what the command line says
        settings, max_new_tokens=args.max_new_tokens, temperature=0.0 if args.greedy else args.temperature,
        top_p=args.top_p, seed=args.seed, repetition_penalty=args.repetition_penalty,
        no_repeat_ngram_size=args.no_repeat_ngram)
    g = generate.stream(lm, turn.messages, settings=gen_settings)
    if args.show_prompt:
        print(g.prompt.text, file=sys.stderr)
    if g.prompt.dropped_turns:
        print(f"note: {g.prompt.dropped_turns} earlier messages were left out to fit the model's window",
              file=sys.stderr)
    for delta in g:
        if not args.json:
            sys.stdout.write(delta)
            sys.stdout.flush()
    if args.json:
        from glossary.answer_check import check_answer

        check = check_answer(matcher, turn.hits, g.text, excluded=turn.excluded)
        print(json.dumps({
            "answer": g.text, "terms": turn.terms_json(), **check.to_json(), "prompt_tokens": g.stats.prompt_tokens,
            "new_tokens": g.stats.new_tokens, "ttft_s": round(g.stats.ttft_s, 4), "tok_s": round(g.stats.tok_s, 2),
            "model": lm.info.name, "engine": lm.engine, "adapter": lm.adapter or None,
            "finish_reason": g.stats.finish_reason,
            "injected": turn.block.included, "dropped_for_budget": turn.block.dropped,
        }, ensure_ascii=False))
    else:
        sys.stdout.write("\n")
        if g.stats.finish_reason == "length":
            print(f"note: the answer stopped at the {gen_settings.max_new_tokens}-token limit; ask again with "
                  f"--max-new-tokens to let it finish", file=sys.stderr)
    return 0


def server_key(url: str) -> str:
    """The API key the window kept for ``url`` (in the keyring or the encrypted database), "" when none."""
    from desktop.engine.server_backend import normalise_url
    from desktop.storage.appdata import open_conversations
    from desktop.storage.keyrings import ServerKeys

    with open_conversations() as private:
        keys = ServerKeys(private)
        return keys.get(url.strip()) or keys.get(normalise_url(url))
