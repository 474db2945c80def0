"""A server that keeps its stream open without answering (only keep-alive comments, as
sse-starlette sends every 15 s) ends the answer with the time-limit sentence; it never hangs."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktop.engine import generate, server_backend
from desktop.errors import TermLensError


class _Stalling(BaseHTTPRequestHandler):
    def log_message(self, *_args) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = json.dumps({"object": "list", "data": [{"id": "stalled", "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        first = {"choices": [{"delta": {"content": "Hello"}, "finish_reason": None}]}
        self.wfile.write(f"data: {json.dumps(first)}\n\n".encode())
        try:
            for _ in range(100):  # 20 s of pings, never another token
                self.wfile.write(b": ping\n\n")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:  # the client gave up and closed the connection
            pass


@pytest.fixture
def stalling_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Stalling)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_stream_of_keepalive_comments_ends_at_the_time_limit_with_the_text_kept(stalling_server):
    lm = server_backend.connect(server_backend.ServerConfig(url=stalling_server, timeout_s=1.0))
    got: list[str] = []
    t0 = time.monotonic()
    with pytest.raises(TermLensError, match=r"did not answer within 1 s"):
        for delta in generate.stream(lm, [{"role": "user", "content": "Hi"}]):
            got.append(delta)
    assert time.monotonic() - t0 < 5  # the limit, not the server's 20 s of pings
    assert "".join(got) == "Hello"  # what came before the stall reached the person
    lm.model.close()
