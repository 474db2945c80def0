"""A model served on the user's own network, through its OpenAI-compatible API.

vLLM, SGLang, llama.cpp's server, Ollama and LM Studio all serve ``/v1/models``,
``/v1/chat/completions`` (streamed as server-sent events) and ``/v1/completions``.
TermLens keeps the glossary, detection, injection and the conversation on the
workstation and sends the server only the chat messages of the turn (the injected
definitions included). ``httpx`` is the client: one connection pool for one address,
``trust_env=False`` (no proxy or certificate settings taken from the environment),
``follow_redirects=False`` (a redirect elsewhere is refused with a sentence), an optional
CA certificate for a server with a private certificate, and an optional API key.

Nothing here connects anywhere until ``ServerClient`` is made from a configured URL.

- ``ServerClient.check()``: the server's models and whether it streams, returns
  log-probabilities and serves LoRA adapters.
- ``connect(config)``: a ``LoadedModel`` with ``engine == "server"``; ``generate.stream``
  hands it to ``ServerGeneration``, which streams text deltas, checks the stop flag
  every 20 ms (Stop ends the request at once, without waiting for the next token), and
  keeps the text received when the server fails in the middle.
- ``option_logprobs``: multiple-choice scores from ``/v1/completions`` with ``echo`` and
  ``logprobs`` (the prompt, rendered with the model's chat template, scored by the server).

Every failure is a ``ServerError`` sentence. Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from desktop import log
from desktop.engine.generate import GenerationSettings, GenerationStats, PreparedPrompt
from desktop.engine.models import LoadedModel, ModelInfo
from desktop.errors import ServerError

_log = log.get("server")

ENGINE = "server"
POLL_S = 0.02


@dataclass
class ServerConfig:
    url: str  # base URL of the OpenAI-compatible API, e.g. http://gpu-server:8000/v1
    model: str = ""  # the model (or server-side adapter) to use; empty: the server's first model
    ca_cert: str = ""  # a PEM file that signs the server's certificate (a private CA)
    timeout_s: float = 120.0  # the longest wait for the server's next bytes
    api_key: str = field(default="", repr=False)
    tokenizer_dir: str = ""  # a local folder with the model's tokenizer files (evaluation renders prompts)
    adapter: str = ""  # a server-side LoRA adapter to answer with (vLLM and SGLang serve each as a model name)


@dataclass
class ServedModel:
    id: str
    parent: str = ""  # vLLM lists a LoRA adapter with its base model as parent


@dataclass
class ServerCheck:
    url: str
    models: list[ServedModel]
    streams: bool
    logprobs: bool
    adapters: list[str]

    def lines(self) -> list[str]:
        names = ", ".join(m.id for m in self.models) or "none"
        return [f"Server: {self.url}", f"Models: {names}",
                f"Streams answers: {'yes' if self.streams else 'no'}",
                f"Log-probabilities (evaluation): {'yes' if self.logprobs else 'no'}",
                "LoRA adapters: " + (", ".join(self.adapters) if self.adapters else "none offered")]

    def to_json(self) -> dict:
        """Plain data for the window (``models``: id and parent of each)."""
        return {"url": self.url, "models": [{"id": m.id, "parent": m.parent} for m in self.models],
                "streams": self.streams, "logprobs": self.logprobs, "adapters": list(self.adapters)}


def normalise_url(url: str) -> str:
    """``http(s)://host[:port]/…/v1`` without a trailing slash; ``/v1`` is added when missing."""
    text = (url or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerError.of("'{url}' is not a server address; write it like http://gpu-server:8000/v1.", url=url)
    if not parts.path.endswith("/v1"):
        text += "/v1"
    return text


class ServerClient:
    """An HTTP client bound to one server address; ``close()`` it when done."""

    def __init__(self, config: ServerConfig) -> None:
        import httpx

        self.config = config
        self.url = normalise_url(config.url)
        verify: Any = True
        if config.ca_cert:
            import ssl

            ca = Path(config.ca_cert).expanduser()
            if not ca.is_file():
                raise ServerError.of("The CA certificate {path} does not exist.", path=str(ca))
            try:
                verify = ssl.create_default_context(cafile=str(ca))
            except (ssl.SSLError, OSError) as exc:
                raise ServerError.of("{path} is not a PEM certificate ({detail}).", path=str(ca), detail=str(exc)) from exc
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, verify=verify, follow_redirects=False,
                                 trust_env=False, timeout=httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s)))

    def close(self) -> None:
        self.http.close()

    # ---- errors ------------------------------------------------------------------
    def error(self, exc: BaseException) -> ServerError:
        """The sentence for a transport failure."""
        import httpx

        if isinstance(exc, ServerError):
            return exc
        if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
            return ServerError.of("The server at {url} did not answer within {s:g} s; it may be busy or stopped. "
                                  "Try again, or raise the time limit.", url=self.url, s=self.config.timeout_s)
        if isinstance(exc, httpx.ConnectError):
            if "SSL" in str(exc) or "CERTIFICATE" in str(exc).upper():
                return ServerError.of("The server at {url} has a certificate TermLens cannot verify; give the CA "
                                      "certificate that signed it.", url=self.url)
            return ServerError.of("The server at {url} cannot be reached; check that it is running and that the "
                                  "address is right.", url=self.url)
        if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
            return ServerError.of("The server at {url} closed the connection in the middle of the answer; the part "
                                  "received is kept.", url=self.url)
        return ServerError.of("The server at {url} could not be used ({detail}).", url=self.url,
                              detail=f"{type(exc).__name__}: {exc}")

    def status_error(self, status: int, body: str, location: str = "") -> ServerError:
        """The sentence for an HTTP error status."""
        if 300 <= status < 400:
            return ServerError.of("The server at {url} redirected to {where}; TermLens connects only to the address "
                                  "you set. Set the final address instead.", url=self.url, where=location or "elsewhere")
        if status in (401, 403):
            return ServerError.of("The server at {url} refused the API key ({status}); check the key.", url=self.url,
                                  status=status)
        detail = body
        try:
            err = json.loads(body).get("error", body)
            detail = err.get("message", str(err)) if isinstance(err, dict) else str(err)
        except (ValueError, AttributeError):
            pass
        detail = " ".join(str(detail).split())[:200]
        if status == 404 and "model" in detail.lower():
            return ServerError.of("The server at {url} has no model named '{model}'; Check lists the models it "
                                  "serves.", url=self.url, model=self.config.model)
        return ServerError.of("The server at {url} answered with an error ({status}: {detail}).", url=self.url,
                              status=status, detail=detail or "no details")

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            resp = self.http.request(method, path, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every transport failure becomes a sentence
            raise self.error(exc) from exc
        if resp.status_code != 200:
            raise self.status_error(resp.status_code, resp.text, resp.headers.get("location", ""))
        try:
            return resp.json()
        except ValueError as exc:
            raise ServerError.of("The server at {url} did not answer in the OpenAI format (is this the API's "
                                 "address?).", url=self.url) from exc

    # ---- what the server offers ----------------------------------------------------
    def models(self) -> list[ServedModel]:
        data = self._json("GET", "/models")
        rows = data.get("data", []) if isinstance(data, dict) else []
        return [ServedModel(id=str(r.get("id", "")), parent=str(r.get("parent") or "")) for r in rows if r.get("id")]

    def resolve_model(self) -> str:
        """The configured model, checked against the server's list (its first model when none is set)."""
        served = self.models()
        names = [m.id for m in served]
        if not names:
            raise ServerError.of("The server at {url} serves no model.", url=self.url)
        if not self.config.model:
            return names[0]
        if self.config.model not in names:
            raise ServerError.of("The server at {url} has no model named '{model}'; it serves: {names}.", url=self.url,
                                 model=self.config.model, names=", ".join(names[:8]))
        return self.config.model

    def check(self) -> ServerCheck:
        """The models, and a one-token probe of streaming and of prompt log-probabilities."""
        served = self.models()
        model = self.config.model or (served[0].id if served else "")
        streams = logprobs = False
        if model:
            try:
                gen = ServerGeneration(self, model, [{"role": "user", "content": "Hi"}],
                                       settings=GenerationSettings(max_new_tokens=1))
                for _ in gen:
                    pass
                streams = gen.chunks > 0
            except ServerError as exc:
                _log.info("streaming probe failed: %s", exc)
            try:
                logprobs = bool(self._completion_logprobs(model, "Hello world"))
            except ServerError as exc:
                _log.info("log-probability probe failed: %s", exc)
        adapters = [m.id for m in served if m.parent and m.parent != m.id]
        return ServerCheck(url=self.url, models=served, streams=streams, logprobs=logprobs, adapters=adapters)

    # ---- scoring -------------------------------------------------------------------
    def _completion_logprobs(self, model: str, text: str, *, tail: str = "") -> tuple[list[float | None], list[int]]:
        body = {"model": model, "prompt": text, "max_tokens": 1, "temperature": 0.0, "echo": True, "logprobs": 1}
        data = self._json("POST", "/completions", json=body)
        lp = ((data.get("choices") or [{}])[0].get("logprobs") or {})
        values, offsets = lp.get("token_logprobs") or [], lp.get("text_offset") or []
        if not values or len(values) != len(offsets):
            raise ServerError.of("The server at {url} returns no prompt log-probabilities, so it cannot score "
                                 "multiple-choice items (vLLM and llama.cpp's server can).", url=self.url)
        tokens = lp.get("tokens") or []
        if tail and len(tokens) == len(values):
            # The offsets count the echoed text, in which llama.cpp's server renders special tokens
            # (<|im_start|>) as nothing: re-base them so that ``tail`` ends ``text`` as it was sent.
            at = "".join(str(t) for t in tokens).rfind(tail)
            if at >= 0:
                offsets = [o + len(text) - len(tail) - at for o in offsets]
        return values, offsets

    def option_logprobs(self, model: str, prompt_text: str, options: list[str]) -> list[float]:
        """The summed log-probability of each option's tokens after ``prompt_text``, from the server."""
        sums = []
        for option in options:
            values, offsets = self._completion_logprobs(model, prompt_text + option, tail=option)
            end = len(prompt_text) + len(option)
            picked = [v for v, o in zip(values, offsets) if len(prompt_text) <= o < end]
            sums.append(float(sum(v for v in picked if v is not None)))
        return sums


class ServerGeneration:
    """One streamed answer from the server: iterate it for text deltas (as ``generate.Generation``)."""

    def __init__(self, client: ServerClient, model: str, messages: list[dict], *, settings: GenerationSettings,
                 should_stop: Callable[[], bool] | None = None) -> None:
        self.client, self.model, self.settings = client, model, settings
        self.should_stop = should_stop or (lambda: False)
        self.body = {"model": model, "messages": messages, "stream": True, "max_tokens": settings.max_new_tokens,
                     "temperature": settings.temperature, "top_p": settings.top_p}
        if settings.seed is not None:
            self.body["seed"] = settings.seed
        penalty = float(getattr(settings, "repetition_penalty", 1.0) or 1.0)
        if penalty != 1.0:
            self.body["repeat_penalty" if "llama" in model.lower() else "repetition_penalty"] = penalty
        shown = json.dumps(self.body, ensure_ascii=False, indent=2)
        self.prompt = PreparedPrompt(input_ids=[], messages=list(messages), dropped_turns=0,
                                     text=f"POST {client.url}/chat/completions\n{shown}")
        self.text = ""
        self.token_ids: list[int] = []
        self.chunks = 0
        self.stats = GenerationStats(path=ENGINE)
        self._response: Any = None
        self._cancelled = threading.Event()

    def _read(self, out: queue.Queue) -> None:
        """On a helper thread: the server's events into ``out``; ends with ("done"|"error", ...)."""
        try:
            with self.client.http.stream("POST", "/chat/completions", json=self.body) as resp:
                self._response = resp
                if resp.status_code != 200:
                    resp.read()
                    out.put(("error", self.client.status_error(resp.status_code, resp.text,
                                                               resp.headers.get("location", ""))))
                    return
                for line in resp.iter_lines():
                    if self._cancelled.is_set():
                        return
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        out.put(("done", None))
                        return
                    out.put(("event", json.loads(data)))
            out.put(("error", ServerError.of("The server at {url} closed the connection in the middle of the "
                                             "answer; the part received is kept.", url=self.client.url)))
        except BaseException as exc:  # noqa: BLE001 - reported to the iterating thread
            if not self._cancelled.is_set():
                out.put(("error", self.client.error(exc)))

    def _cancel(self) -> None:
        self._cancelled.set()
        resp = self._response
        if resp is not None:
            try:
                resp.close()  # the server sees the connection close and stops generating
            except Exception:  # noqa: BLE001 - closing from another thread may race the reader
                pass

    def __iter__(self) -> Iterator[str]:
        events: queue.Queue = queue.Queue()
        t0 = time.perf_counter()
        first = None
        reason = "length"
        last = t0  # when the last event came
        thread = threading.Thread(target=self._read, args=(events,), name="server-stream", daemon=True)
        thread.start()
        try:
            while True:
                if self.should_stop():
                    reason = "stopped"
                    self._cancel()
                    break
                try:
                    kind, value = events.get(timeout=POLL_S)
                except queue.Empty:
                    # sse-starlette keeps a stalled stream open with ": ping" comments every 15 s,
                    # so the transport's read limit alone never fires: the limit is per event
                    if time.perf_counter() - last > self.client.config.timeout_s:
                        self._cancel()
                        raise self.client.error(TimeoutError()) from None
                    continue
                last = time.perf_counter()
                if kind == "done":
                    break
                if kind == "error":
                    raise value
                usage = value.get("usage") or {}
                if usage.get("prompt_tokens"):
                    self.stats.prompt_tokens = int(usage["prompt_tokens"])
                for choice in value.get("choices") or []:
                    delta = (choice.get("delta") or {}).get("content") or ""
                    if delta:
                        first = first or time.perf_counter()
                        self.chunks += 1
                        self.text += delta
                        yield delta
                    if choice.get("finish_reason"):
                        reason = "eos" if choice["finish_reason"] == "stop" else str(choice["finish_reason"])
        finally:
            self._cancel() if reason == "stopped" else None
            end = time.perf_counter()
            self.stats.new_tokens = self.chunks
            self.stats.ttft_s = (first or end) - t0
            self.stats.total_s = end - t0
            decode = end - (first or end)
            self.stats.tok_s = (self.chunks - 1) / decode if self.chunks > 1 and decode > 0 else 0.0
            self.stats.finish_reason = reason


class ServerRuntime:
    """The ``model`` of a server ``LoadedModel``: streams answers and scores options remotely."""

    engine = ENGINE

    def __init__(self, client: ServerClient, model: str) -> None:
        self.client, self.name = client, model
        self.generation_config = None

    def stream(self, messages: list[dict], *, settings: GenerationSettings,
               should_stop: Callable[[], bool] | None = None) -> ServerGeneration:
        return ServerGeneration(self.client, self.name, messages, settings=settings, should_stop=should_stop)

    def score_text_choices(self, prompt_text: str, choices: list[str]) -> list[float]:
        return self.client.option_logprobs(self.name, prompt_text, list(choices))

    def close(self) -> None:
        self.client.close()

    def apply_adapter(self, lm: LoadedModel, name: str) -> None:
        """Answer with the server-side adapter ``name`` (vLLM and SGLang serve each adapter as a model name)."""
        served = [m.id for m in self.client.models()]
        if name not in served:
            raise ServerError.of("The server at {url} offers no adapter named '{name}'; it serves: {names}. Export "
                                 "the adapter for the server (python main.py models export-adapter) and ask its "
                                 "administrator to load it.", url=self.client.url, name=name, names=", ".join(served))
        self.base = getattr(self, "base", self.name)
        self.name = lm.adapter = name

    def remove_adapter(self, lm: LoadedModel) -> None:
        self.name = getattr(self, "base", self.name)
        lm.adapter = None


def connect(config: ServerConfig, *, context_length: int = 8192) -> LoadedModel:
    """A ``LoadedModel`` that answers through the server (its model checked against the server's list).

    ``config.tokenizer_dir`` (a local folder with the model's tokenizer files) lets evaluation
    render prompts exactly as the server does; without it, chat works and evaluation says why not."""
    started = time.perf_counter()
    client = ServerClient(config)
    try:
        model = client.resolve_model()
    except ServerError:
        client.close()
        raise
    tokenizer = None
    if config.tokenizer_dir:
        from transformers import AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(config.tokenizer_dir, local_files_only=True,
                                                      trust_remote_code=False)
        except Exception as exc:  # noqa: BLE001
            client.close()
            raise ServerError.of("The tokenizer files in {folder} could not be read ({detail}).",
                                 folder=config.tokenizer_dir, detail=type(exc).__name__) from exc
    info = ModelInfo(path=Path(client.url), name=model, model_type=ENGINE, architecture=ENGINE, n_params=0,
                     weights_dtype="", size_bytes=0, context_length=context_length, n_layers=0, hidden_size=0,
                     n_kv_heads=0, head_dim=0, has_chat_template=True)
    lm = LoadedModel(model=ServerRuntime(client, model), tokenizer=tokenizer, info=info, device=client.url,
                     dtype="", load_s=time.perf_counter() - started, fingerprint=f"server:{model}")
    lm.engine, lm.engine_reason = ENGINE, f"answers come from the server at {client.url}"
    if config.adapter and config.adapter != model:
        try:
            lm.model.apply_adapter(lm, config.adapter)
        except ServerError:
            client.close()
            raise
    return lm
