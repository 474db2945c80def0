"""The server backend against llama.cpp's real OpenAI-compatible server on 127.0.0.1.

Each failure a person can meet is a sentence, and the text received before a failure is kept.
"""

from __future__ import annotations

import signal
import threading
import time

import pytest

from desktop.engine import generate, server_backend
from desktop.engine.server_backend import ServerClient, ServerConfig
from desktop.errors import ServerError
from tests.engine.llama_server import ALIAS, default_gguf, free_port, llama_server, needs_llama

QUESTION = [{"role": "system", "content": "Glossary: eGFR means estimated glomerular filtration rate."},
            {"role": "user", "content": "What does eGFR mean?"}]


@pytest.fixture(scope="module")
def server(installed_default_model):
    needs_llama()
    with llama_server(default_gguf(installed_default_model)) as (url, _proc):
        yield url


def _settings(n: int = 24) -> generate.GenerationSettings:
    return generate.GenerationSettings(max_new_tokens=n)


def test_check_lists_the_model_and_what_the_server_can_do(server) -> None:
    client = ServerClient(ServerConfig(url=server.removesuffix("/v1")))  # /v1 is added when missing
    try:
        check = client.check()
    finally:
        client.close()
    assert [m.id for m in check.models] == [ALIAS]
    assert check.streams and check.logprobs
    assert check.adapters == []
    assert "LoRA adapters: none offered" in check.lines()


def test_an_answer_streams_and_show_prompt_shows_what_was_sent(server) -> None:
    lm = server_backend.connect(ServerConfig(url=server))
    try:
        g = generate.stream(lm, QUESTION, settings=_settings())
        deltas = list(g)
    finally:
        lm.model.close()
    assert len(deltas) > 3 and "".join(deltas) == g.text and g.text.strip()
    assert g.stats.new_tokens == len(deltas) and g.stats.finish_reason in ("eos", "length")
    assert 0 < g.stats.ttft_s < g.stats.total_s
    assert "estimated glomerular filtration rate" in g.prompt.text and "/chat/completions" in g.prompt.text


def test_stop_ends_the_request_at_once(server) -> None:
    lm = server_backend.connect(ServerConfig(url=server))
    stop = threading.Event()
    try:
        g = generate.stream(lm, QUESTION, settings=_settings(400), should_stop=stop.is_set)
        it = iter(g)
        first = next(it)
        stop.set()
        t0 = time.perf_counter()
        rest = list(it)
        waited = time.perf_counter() - t0
        assert g.stats.finish_reason == "stopped"
        assert first and len(rest) <= 2 and waited < 0.5
        # the connection is usable again: the next question gets its answer (this test server
        # queues requests, so it may first finish the stopped answer's tokens on its side)
        g2 = generate.stream(lm, QUESTION, settings=_settings(4))
        assert "".join(g2) and g2.stats.finish_reason != "stopped"
    finally:
        lm.model.close()


def test_a_server_that_is_down_is_a_sentence() -> None:
    port = free_port()
    with pytest.raises(ServerError, match=f"127.0.0.1:{port}/v1 cannot be reached"):
        server_backend.connect(ServerConfig(url=f"http://127.0.0.1:{port}"))


def test_an_unknown_model_names_the_ones_served(server) -> None:
    with pytest.raises(ServerError, match=f"no model named 'nope'; it serves: {ALIAS}"):
        server_backend.connect(ServerConfig(url=server, model="nope"))


def test_a_bad_address_is_a_sentence() -> None:
    with pytest.raises(ServerError, match="not a server address"):
        server_backend.connect(ServerConfig(url="gpu-server:8000"))


def test_a_redirect_elsewhere_is_refused(server) -> None:
    client = ServerClient(ServerConfig(url=server))
    try:
        with pytest.raises(ServerError, match="redirected to .*connects only to the address you set"):
            client._json("GET", "/models/")  # FastAPI answers a trailing slash with a redirect
    finally:
        client.close()


def test_a_slow_server_times_out_with_a_sentence() -> None:
    """A server that takes the connection and never answers (as a stuck one does): one sentence
    after the time limit, not a wait for ever. A real socket, so the timing does not depend on
    how fast another request happens to finish."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # read nothing, answer nothing
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
        started = time.monotonic()
        with pytest.raises(ServerError, match=r"did not answer within 0.5 s"):
            server_backend.connect(ServerConfig(url=url, timeout_s=0.5))
        assert time.monotonic() - started < 30
    finally:
        stop.set()
        t.join(5)
        for c in held:
            c.close()
        listener.close()


def test_a_wrong_api_key_is_a_sentence_and_the_right_one_works(installed_default_model) -> None:
    with llama_server(default_gguf(installed_default_model), api_key="s3cret") as (url, _proc):
        with pytest.raises(ServerError, match=r"refused the API key \(401\)"):
            server_backend.connect(ServerConfig(url=url, api_key="wrong"))
        lm = server_backend.connect(ServerConfig(url=url, api_key="s3cret"))
        try:
            assert "".join(generate.stream(lm, QUESTION, settings=_settings(4)))
        finally:
            lm.model.close()


def test_a_dropped_stream_keeps_the_text_received(installed_default_model) -> None:
    with llama_server(default_gguf(installed_default_model)) as (url, proc):
        lm = server_backend.connect(ServerConfig(url=url))
        try:
            g = generate.stream(lm, QUESTION, settings=_settings(400))
            received = []
            with pytest.raises(ServerError, match="closed the connection in the middle of the answer"):
                for delta in g:
                    received.append(delta)
                    if len(received) == 3:
                        proc.send_signal(signal.SIGKILL)  # the server dies mid-answer
            assert len(received) >= 3 and g.text == "".join(received)
        finally:
            lm.model.close()


def test_a_server_side_adapter_is_chosen_by_name_and_an_unknown_one_is_a_sentence(server) -> None:
    with pytest.raises(ServerError, match=f"offers no adapter named 'cardiology'; it serves: {ALIAS}. Export"):
        server_backend.connect(ServerConfig(url=server, adapter="cardiology"))
    lm = server_backend.connect(ServerConfig(url=server, adapter=ALIAS))  # the base model's own name: no adapter
    try:
        assert lm.adapter is None and lm.model.name == ALIAS
    finally:
        lm.model.close()
    check = ServerClient(ServerConfig(url=server))
    try:
        found = check.check().to_json()
    finally:
        check.close()
    assert found["models"] == [{"id": ALIAS, "parent": ""}] and found["adapters"] == [] and found["streams"]
