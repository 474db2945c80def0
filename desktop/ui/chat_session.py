"""One conversation's traffic: detect terms, send the turn to the model thread, stream
the answer back, and keep the messages in the conversation store.

``ChatSession`` is the operation behind the chat view, kept out of ``MainWindow``.
It runs on the GUI thread, asks the worker for each answer and listens to that
answer's own handle (its Stop stops that answer only), and never touches widgets: the
window connects its signals to the view and the term panel.
"""

from __future__ import annotations

import secrets
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop import log
from desktop.prompting import Turn, prepare_turn
from desktop.workers.handle import GenerationHandle
from desktop.workers.model_worker import GenerateRequest
from glossary.answer_check import check_answer
from glossary.errors import TermLensError

_log = log.get("chat")


class ChatSession(QObject):
    conversation_changed = Signal(int)  # the open conversation's id (0: none yet)
    conversations_changed = Signal()  # a conversation was created or renamed
    messages_reset = Signal(object)  # show these messages from scratch
    question_added = Signal(dict)  # a user message, with its terms
    terms_shown = Signal(object, bool)  # terms of the current question, editable (the last question)
    answer_started = Signal()
    answer_resumed = Signal()  # Continue: the deltas that follow extend the last answer
    answer_delta = Signal(str)
    prompt_ready = Signal(str)
    answer_finished = Signal(dict)  # the saved assistant message
    answer_checked = Signal(object)  # the answer's glossary terms and term issues (glossary.answer_check), or None
    answer_failed = Signal(str)
    generating_changed = Signal(bool)

    def __init__(self, ctx: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conv_id = 0
        self.messages: list[dict] = []
        self._answer: GenerationHandle | None = None  # the answer streaming now
        self._turn: Turn | None = None  # the turn it answers (its question's hits, for the answer check)
        self._continuing: dict | None = None  # the answer that Continue extends
        self._received: list[str] = []  # the text deltas of the answer streaming now

    # ---- conversations ----------------------------------------------------------------
    @property
    def generating(self) -> bool:
        return self._answer is not None

    def open(self, conv_id: int) -> None:
        if self.generating:
            self.stop()
        self.conv_id = conv_id
        self.messages = self.ctx.conversations.messages(conv_id) if conv_id else []
        self.messages_reset.emit(self.messages)
        self.conversation_changed.emit(conv_id)
        last_q = next((m for m in reversed(self.messages) if m["role"] == "user"), None)
        self.terms_shown.emit(list((last_q or {}).get("terms") or []), False)

    def new(self) -> None:
        self.open(0)

    # ---- asking -------------------------------------------------------------------------
    def _history(self, before: int | None = None) -> list[dict]:
        msgs = self.messages if before is None else [m for m in self.messages if m["id"] < before]
        return [{"role": m["role"], "content": m["content"]} for m in msgs if m["role"] in ("user", "assistant")]

    def prepare(self, question: str, *, history: list[dict], excluded=(), choices=None) -> Turn:
        s = self.ctx.settings
        return prepare_turn(question, history=history, matcher=self.ctx.matcher, base_system=s.system_prompt,
                            injection=s.injection, budget_tokens=s.injection_budget,
                            count_tokens=self.ctx.counter, excluded=excluded, choices=choices,
                            position=s.injection_position)

    def terms_of(self, turn: Turn) -> list[dict]:
        terms = turn.terms_json()
        for t, h in zip(terms, turn.hits):
            labels = []
            for cid in h.alternatives:
                try:
                    labels.append((cid, self.ctx.matcher.concept(cid).label()
                                   + (f" ({', '.join(self.ctx.matcher.concept(cid).subject_fields)})"
                                      if self.ctx.matcher.concept(cid).subject_fields else "")))
                except KeyError:
                    continue
            t["alternative_labels"] = labels
        return terms

    def prefill(self, draft: str) -> None:
        """Let the model thread decode the prompt this draft question would send, before Send
        (only where the engine keeps a prompt cache: llama.cpp). Nothing is saved."""
        if self.generating or (self.ctx.worker.info or {}).get("engine") != "llama.cpp":
            return
        try:
            turn = self.prepare(draft.strip(), history=self._history())
        except TermLensError:
            return
        self.ctx.worker.request_prefill(turn.messages, self.ctx.settings.max_new_tokens)

    def ask(self, question: str, *, excluded=(), choices=None) -> bool:
        """Send a new question; False when an answer is still streaming."""
        question = question.strip()
        if not question or self.generating:
            return False
        try:
            if not self.conv_id:
                self.conv_id = self.ctx.conversations.create(question.splitlines()[0][:60])
                self.conversation_changed.emit(self.conv_id)
                self.conversations_changed.emit()
            turn = self.prepare(question, history=self._history(), excluded=excluded, choices=choices)
            terms = self.terms_of(turn)
            mid = self.ctx.conversations.add_message(self.conv_id, "user", question, terms=terms)
        except TermLensError as exc:
            self.answer_failed.emit(str(exc))
            return False
        msg = {"id": mid, "role": "user", "content": question, "terms": terms}
        self.messages.append(msg)
        self.question_added.emit(msg)
        self.terms_shown.emit(terms, True)
        self._send(turn)
        return True

    def resend_last(self, *, question: str | None = None, excluded=None, choices=None,
                    regenerate: bool = False) -> bool:
        """Answer the last question again: edited (``question``), with other terms, or as it was
        (``regenerate``: a new answer, sampled with a new seed when answers are greedy)."""
        if self.generating:
            return False
        last = next((m for m in reversed(self.messages) if m["role"] == "user"), None)
        if last is None:
            return False
        if excluded is None:
            excluded = {t["concept_id"] for t in (last.get("terms") or []) if t.get("excluded")}
        text = question.strip() if question else last["content"]
        try:
            turn = self.prepare(text, history=self._history(before=last["id"]), excluded=excluded, choices=choices)
            terms = self.terms_of(turn)
            self.ctx.conversations.delete_messages_after(self.conv_id, last["id"])
            self.ctx.conversations.update_message(last["id"], content=text, terms=terms)
        except TermLensError as exc:
            self.answer_failed.emit(str(exc))
            return False
        last.update(content=text, terms=terms)
        self.messages = [m for m in self.messages if m["id"] <= last["id"]]
        self.messages_reset.emit(self.messages)
        self.terms_shown.emit(terms, True)
        self._send(turn, regenerate=regenerate)
        return True

    def continue_last(self) -> bool:
        """Let the last answer, which stopped at the token limit, go on where it stopped."""
        last = self.messages[-1] if self.messages else None
        if self.generating or self._turn is None or last is None or last["role"] != "assistant":
            return False
        self._continuing = last
        self._send(self._turn, messages=[*self._turn.messages, {"role": "assistant", "content": last["content"]}])
        return True

    def _send(self, turn: Turn, *, regenerate: bool = False, messages: list[dict] | None = None) -> None:
        s = self.ctx.settings
        self._turn = turn
        self.generating_changed.emit(True)
        if messages is None:
            self._continuing = None
            self.answer_started.emit()
        else:
            self.answer_resumed.emit()
        temperature, seed = s.temperature, None
        if regenerate and temperature <= 0 < s.regenerate_temperature:
            # greedy answers would come out the same again: Regenerate samples, with a new seed each time
            temperature, seed = s.regenerate_temperature, secrets.randbits(31)
        answer = self.ctx.worker.request_generate(GenerateRequest(
            messages=messages or turn.messages, max_new_tokens=s.max_new_tokens, temperature=temperature,
            top_p=s.top_p, seed=seed, repetition_penalty=s.repetition_penalty,
            no_repeat_ngram_size=s.no_repeat_ngram_size))
        self._answer = answer
        self._received = []  # kept if the answer fails half-way (a server that drops the stream)
        answer.tokens.connect(self._received.append)
        answer.tokens.connect(self.answer_delta)
        answer.prompt_ready.connect(self._on_prompt)
        answer.finished.connect(self._on_finished)
        answer.failed.connect(self._on_failed)

    def stop(self) -> None:
        """Stop the answer streaming now (none: nothing happens)."""
        if self._answer is not None:
            self._answer.cancel()

    # ---- from this answer's handle ----------------------------------------------------------
    def _on_prompt(self, prompt: str, _dropped: int) -> None:
        self.prompt_ready.emit(prompt)

    def _on_finished(self, result: dict) -> None:
        self._answer = None
        stats = dict(result.get("stats") or {})
        stats["adapter"] = result.get("adapter", "")
        text = result.get("text", "")
        if self._continuing is not None:
            self._finish_continuation(self._continuing, text, stats)
            return
        msg = {"role": "assistant", "content": text, "prompt": result.get("prompt", ""), "stats": stats}
        check = self.check_answer(text)
        try:
            msg["id"] = self.ctx.conversations.add_message(self.conv_id, "assistant", text,
                                                           prompt=msg["prompt"], stats=stats)
            self.messages.append(msg)
        except TermLensError as exc:
            self.answer_failed.emit(str(exc))
        if check is not None:
            msg["answer_terms"] = check["answer_terms"]  # shown marked in the bubble
        self.generating_changed.emit(False)
        self.answer_finished.emit(msg)
        self.answer_checked.emit(check)

    def _finish_continuation(self, msg: dict, text: str, stats: dict) -> None:
        """The continued answer is one message: the text joined, the stats of the last part."""
        self._continuing = None
        msg["content"] = msg["content"] + text
        msg["stats"] = stats
        try:
            self.ctx.conversations.update_message(msg["id"], content=msg["content"], stats=stats)
        except (TermLensError, KeyError) as exc:
            self.answer_failed.emit(str(exc))
        check = self.check_answer(msg["content"])
        if check is not None:
            msg["answer_terms"] = check["answer_terms"]
        self.generating_changed.emit(False)
        self.answer_finished.emit(msg)
        self.answer_checked.emit(check)

    def check_answer(self, text: str) -> dict | None:
        """The glossary terms of answer ``text`` and its term issues as plain data (with ``reask``,
        the instruction that asks again with the preferred terms); None without a matcher."""
        turn, matcher = self._turn, self.ctx.matcher
        if turn is None or matcher is None:
            return None
        check = check_answer(matcher, turn.hits, text, excluded=turn.excluded)
        return {**check.to_json(), "reask": check.reask_instruction()}

    def reask_preferred(self, instruction: str) -> bool:
        """Ask the last question again, followed by ``instruction`` (use the preferred terms)."""
        last = next((m for m in reversed(self.messages) if m["role"] == "user"), None)
        if last is None or not instruction:
            return False
        return self.resend_last(question=f"{last['content']}\n\n{instruction}")

    def _on_failed(self, sentence: str) -> None:
        self._answer = None
        self._keep_received()
        self.generating_changed.emit(False)
        self.answer_failed.emit(sentence)

    def _keep_received(self) -> None:
        """Save the part of a failed answer that arrived, so that the conversation loses nothing."""
        text, stats = "".join(self._received), {"finish_reason": "failed"}
        if not text.strip():
            return
        try:
            if self._continuing is not None:
                msg, self._continuing = self._continuing, None
                msg["content"] += text
                self.ctx.conversations.update_message(msg["id"], content=msg["content"], stats=stats)
            else:
                mid = self.ctx.conversations.add_message(self.conv_id, "assistant", text, stats=stats)
                self.messages.append({"id": mid, "role": "assistant", "content": text, "stats": stats})
        except (TermLensError, KeyError) as exc:
            _log.warning("the part of a failed answer could not be saved: %s", exc)
