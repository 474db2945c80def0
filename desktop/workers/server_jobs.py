"""A model server on the user's network, for the window: what it offers (``check_server``)
and the connection the model thread answers through (``connect_server``).

The server is described by a plain dict (``url``, ``model``, ``adapter``, ``ca_cert``,
``api_key``, optional ``timeout_s``) so that the widgets never import the engine; the
engine (``desktop.engine.server_backend``) is imported inside the functions. Nothing here
connects anywhere until one of them is called with a configured address. Never touches
widgets.
"""

from __future__ import annotations

from typing import Any, Callable

from desktop.workers.handle import Job

CHECK_TIMEOUT_S = 30.0  # Check asks for one token; a server that takes longer is reported as busy


def _config(server: dict, **override: Any) -> Any:
    from desktop.engine.server_backend import ServerConfig

    values = {k: server[k] for k in ("url", "model", "adapter", "ca_cert", "api_key", "timeout_s") if k in server}
    values.update(override)
    return ServerConfig(**values)


def check_server(server: dict, *, on_progress: Callable | None = None,
                 should_stop: Callable[[], bool] | None = None) -> dict:
    """The server's models, and whether it streams, returns log-probabilities and serves LoRA
    adapters (``ServerCheck.to_json``); raises ``ServerError`` (a sentence)."""
    from desktop.engine.server_backend import ServerClient

    client = ServerClient(_config(server, model="", adapter="",
                                  timeout_s=min(float(server.get("timeout_s") or CHECK_TIMEOUT_S), CHECK_TIMEOUT_S)))
    try:
        return client.check().to_json()
    finally:
        client.close()


def check_server_job(server: dict) -> Job:
    """``check_server`` as a model-thread job (finishes with its dict). On the model thread, as
    every model check, so that its life is the worker's: closing the dialog or the window never
    destroys a thread in the middle of a request (the request is bounded by ``CHECK_TIMEOUT_S``)."""

    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> dict:
        return check_server(server)

    return Job("checking the model server", run, needs_model=False)


def connect_server(server: dict) -> Any:
    """A ``LoadedModel`` that answers through the server (its model and adapter checked against
    the server's list). Runs on the model thread."""
    from desktop.engine import server_backend

    return server_backend.connect(_config(server))
