"""The window answering through "A server on your network", against llama.cpp's real
OpenAI-compatible server on 127.0.0.1 serving the default model's GGUF (with an API key).

Check lists the server's model and what it can do; Use this server makes the chat stream
through it, with Show prompt holding exactly the request sent (the injected definitions
included) and the status bar naming the server; Stop ends an answer at once; a wrong key, a
server that is down and a server that dies mid-answer are sentences in the window, with
nothing of the conversation lost; the key is kept in the keyring (or the encrypted
database), never in config.toml, and the server is used again at the next start.
"""

from __future__ import annotations

import signal
import time

import pytest
from PySide6.QtCore import Qt

from desktop import paths
from desktop.storage import keyrings
from desktop.storage.keyrings import ServerKeys
from desktop.ui.model_manager import ModelManagerDialog
from tests.engine.llama_server import ALIAS, default_gguf, free_port, llama_server, needs_llama
from tests.ui.conftest import ask

KEY = "s3cret-key-4242"
CHECK_MS = 60_000


@pytest.fixture(scope="module")
def server(installed_default_model):
    needs_llama()
    with llama_server(default_gguf(installed_default_model), api_key=KEY) as (url, _proc):
        yield url


def _manager(qtbot, win) -> ModelManagerDialog:
    dialog = ModelManagerDialog(win.ctx, win)
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentWidget(dialog.server_form)
    return dialog


def _check(qtbot, form, url: str, key: str = "") -> None:
    form.url.setText(url)
    form.api_key.setText(key)
    qtbot.mouseClick(form.check_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Asking the server" not in form.result.text(), timeout=CHECK_MS)


def _use(qtbot, win, form) -> dict:
    with qtbot.waitSignal(win.ctx.worker.loaded, timeout=CHECK_MS) as loaded:
        qtbot.mouseClick(form.use_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Answers now come from" in form.message.text(), timeout=10_000)
    return loaded.args[0]


def _connect(qtbot, win, url: str, key: str = KEY) -> dict:
    dialog = _manager(qtbot, win)
    _check(qtbot, dialog.server_form, url, key)
    info = _use(qtbot, win, dialog.server_form)
    dialog.close()
    return info


def test_check_lists_the_model_and_the_chat_streams_through_the_server(open_window, qtbot, server):
    win = open_window(max_new_tokens=24, wait=False)
    dialog = _manager(qtbot, win)
    form = dialog.server_form
    assert not form.use_btn.isEnabled()  # nothing to use before Check
    _check(qtbot, form, server.removesuffix("/v1"), KEY)  # /v1 is added when missing
    lines = form.result.text()
    assert f"The server at {server} serves: {ALIAS}." in lines
    assert "It streams answers word by word." in lines
    assert "It returns log-probabilities" in lines and "It serves no LoRA adapters" in lines
    assert [form.model.itemText(i) for i in range(form.model.count())] == [ALIAS]
    assert form.adapter.currentData() == "" and form.use_btn.isEnabled()
    info = _use(qtbot, win, form)
    assert info["engine"] == "server" and info["name"] == ALIAS and info["device"] == server
    qtbot.waitUntil(lambda: server in win.status.device.text(), timeout=10_000)
    assert win.status.model.text() == f"Model: {ALIAS}" and win.status.device.text() == f"Server: {server}"
    assert f"on the model server at {server}" in dialog.current.text()
    dialog.close()

    deltas: list[str] = []
    win.session.answer_delta.connect(deltas.append)
    answer = ask(qtbot, win, "What does CKD-EPI estimate?")
    assert answer["content"].strip() and len(deltas) > 1  # streamed in pieces, not all at once
    assert answer["stats"]["path"] == "server" and answer["stats"]["new_tokens"] > 1
    # Show prompt holds exactly what was sent: the request, with the definition injected from the glossary
    bubble = win.chat.bubbles[-1]
    assert bubble.prompt_btn.isVisible()
    sent = bubble.message["prompt"]  # what the button shows (clicking it would open a modal dialog)
    assert sent == answer["prompt"]
    assert sent.startswith(f"POST {server}/chat/completions") and "glomerular filtration rate" in sent
    assert '"model": "smollm2"' in sent and "What does CKD-EPI [" in sent  # the definition inline, the default

    # the key is in the keyring, never in config.toml (nor in any other file); the address and the model are
    for f in paths.home().rglob("*"):
        if f.is_file():
            assert KEY.encode() not in f.read_bytes(), f
    config_text = paths.config_path().read_text(encoding="utf-8")
    assert KEY not in config_text and server in config_text and "use_server = true" in config_text
    assert keyrings.memory_keyring().get_password("TermLens", f"server-key:{server}") == KEY
    assert win.ctx.conversations.private_setting(f"server-key:{server}") in (None, "")


def test_the_server_is_used_again_at_the_next_start_with_its_kept_key(open_window, qtbot, server):
    first = open_window(max_new_tokens=8, wait=False)
    _connect(qtbot, first, server)
    first.close()
    win = open_window(max_new_tokens=8, wait=False)  # start() connects to the saved server
    qtbot.waitUntil(lambda: win.status.device.text() == f"Server: {server}", timeout=CHECK_MS)
    assert ask(qtbot, win, "What is eGFR?")["stats"]["path"] == "server"


def test_stop_ends_an_answer_from_the_server_at_once(open_window, qtbot, server):
    win = open_window(max_new_tokens=400, wait=False)
    _connect(qtbot, win, server)
    win.chat.input.setPlainText("Explain the CKD-EPI equation in detail.")
    with qtbot.waitSignal(win.session.answer_delta, timeout=CHECK_MS):
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    t0 = time.perf_counter()
    with qtbot.waitSignal(win.session.answer_finished, timeout=10_000) as done:
        qtbot.mouseClick(win.chat.stop_btn, Qt.LeftButton)
    assert time.perf_counter() - t0 < 1.0
    msg = done.args[0]
    assert msg["stats"]["finish_reason"] == "stopped" and msg["content"].strip()
    assert msg["stats"]["new_tokens"] < 400
    # the next question is answered (this test server queues requests, so it may first finish
    # the stopped answer's tokens on its side)
    win.ctx.settings.max_new_tokens = 4
    assert ask(qtbot, win, "What is eGFR?", timeout=60_000)["content"].strip()


def test_a_wrong_key_and_a_server_that_is_down_are_sentences(open_window, qtbot, server):
    win = open_window(wait=False)
    dialog = _manager(qtbot, win)
    form = dialog.server_form
    _check(qtbot, form, server, "wrong-key")
    assert f"The server at {server} refused the API key (401); check the key." in form.message.text()
    assert form.message.property("error") and not form.use_btn.isEnabled()
    port = free_port()
    _check(qtbot, form, f"http://127.0.0.1:{port}/v1")
    assert f"The server at http://127.0.0.1:{port}/v1 cannot be reached" in form.message.text()
    _check(qtbot, form, "gpu-server:8000")
    assert "is not a server address" in form.message.text()
    assert not win.ctx.settings.use_server
    assert keyrings.memory_keyring().get_password("TermLens", f"server-key:{server}") is None  # never kept


def test_a_server_that_dies_mid_answer_is_a_sentence_and_the_conversation_keeps_all(
        open_window, qtbot, installed_default_model):
    with llama_server(default_gguf(installed_default_model)) as (url, proc):
        win = open_window(max_new_tokens=400, wait=False)
        _connect(qtbot, win, url, key="")
        received: list[str] = []
        win.session.answer_delta.connect(received.append)
        win.session.answer_delta.connect(lambda _d: len(received) == 3 and proc.send_signal(signal.SIGKILL))
        win.chat.input.setPlainText("Explain the CKD-EPI equation in detail.")
        with qtbot.waitSignal(win.session.answer_failed, timeout=CHECK_MS) as failed:
            qtbot.keyClick(win.chat.input, Qt.Key_Return)
    assert "closed the connection in the middle of the answer; the part received is kept" in failed.args[0]
    assert win.chat.banner.isVisible() and "closed the connection" in win.chat.banner.text()
    saved = win.ctx.conversations.messages(win.session.conv_id)
    assert [m["role"] for m in saved] == ["user", "assistant"]
    assert saved[0]["content"] == "Explain the CKD-EPI equation in detail."
    assert saved[1]["content"] == "".join(received) and len(received) >= 3
    # the next question, with the server gone, is a sentence too and the question is kept
    win.chat.input.setPlainText("What is eGFR?")
    with qtbot.waitSignal(win.session.answer_failed, timeout=CHECK_MS) as failed:
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    assert "cannot be reached" in failed.args[0]
    assert win.ctx.conversations.messages(win.session.conv_id)[-1]["content"] == "What is eGFR?"


def test_without_a_keyring_the_key_is_sealed_in_the_encrypted_database(open_window, qtbot, server, monkeypatch):
    win = open_window(max_new_tokens=4, wait=False)
    monkeypatch.setenv("TERMLENS_KEYRING", "none")  # the data key is open already; no keyring for the server key
    _connect(qtbot, win, server)
    assert keyrings.memory_keyring().get_password("TermLens", f"server-key:{server}") is None
    assert win.ctx.conversations.private_setting(f"server-key:{server}") == KEY
    assert ServerKeys(win.ctx.conversations, backend=None).get(server) == KEY
    for f in paths.home().rglob("*"):  # in no file in the clear: config.toml, logs, the database
        if f.is_file():
            assert KEY.encode() not in f.read_bytes(), f
    assert ask(qtbot, win, "What is eGFR?")["stats"]["path"] == "server"


def test_nothing_connects_anywhere_while_no_server_is_in_use(open_window, qtbot, monkeypatch):
    """A server address saved earlier, but a model on this computer in use: opening the window,
    the model manager's server tab and asking a question open no internet connection."""
    import socket

    from desktop.storage import config
    from tests.ui.fakes import FakeWorker

    config.save(config.Settings(server_url="http://127.0.0.1:9/v1", server_model=ALIAS, use_server=False))
    attempts: list = []
    original = socket.socket.connect

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    win = open_window(worker=FakeWorker(), max_new_tokens=8)
    dialog = _manager(qtbot, win)
    assert dialog.server_form.url.text() == "http://127.0.0.1:9/v1"  # shown, not contacted
    dialog.close()
    assert ask(qtbot, win, "What does CKD-EPI estimate?")["content"].strip()
    assert attempts == []


def test_a_saved_server_that_is_down_at_start_is_a_sentence_in_the_window(open_window, qtbot):
    from desktop.storage import config

    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    config.save(config.Settings(use_server=True, server_url=url, server_model=ALIAS))
    win = open_window(wait=False)
    qtbot.waitUntil(lambda: "cannot be reached" in win.chat.banner.text(), timeout=CHECK_MS)
    assert f"The server at {url} cannot be reached; check that it is running" in win.chat.banner.text()
    assert win.status.state == "none" and "none loaded" in win.status.model.text()
    win.chat.input.setPlainText("What is eGFR?")  # the question is kept; the answer is a sentence
    with qtbot.waitSignal(win.session.answer_failed, timeout=10_000) as failed:
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    assert "No model is loaded" in failed.args[0]
    assert win.ctx.conversations.messages(win.session.conv_id)[-1]["content"] == "What is eGFR?"
