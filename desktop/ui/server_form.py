""""A server on your network": the model manager's form for a model served elsewhere.

Address, optional API key, optional CA certificate; **Check** lists what the server offers
(its models, and whether it streams, returns log-probabilities and serves LoRA adapters,
each a line a person can read); choose a model and a server-side adapter; **Use this
server** has the model thread answer through it (``ModelWorker.request_connect``).

Where things are kept: the address, model, adapter and certificate path in ``config.toml``;
the API key in the system keyring, else sealed in the encrypted database
(``desktop.storage.keyrings.ServerKeys``), never in ``config.toml``. The key is kept only
once the server answered with it. Nothing connects anywhere until Check or Use is pressed
(or, at start, a server was chosen before: ``saved_server``). GUI thread; never imports
the engine (the check is a model-thread job from ``desktop.workers.server_jobs``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from desktop.storage.keyrings import ServerKeys
from desktop.ui import file_dialogs
from desktop.ui.feedback import show_message
from desktop.workers.server_jobs import check_server_job


def saved_server(ctx) -> dict | None:
    """The server chosen with Use this server, with its kept API key; None when the window
    answers with a model on this computer (then nothing connects anywhere)."""
    s = ctx.settings
    if not (s.use_server and s.server_url):
        return None
    return {"url": s.server_url, "model": s.server_model, "adapter": s.server_adapter, "ca_cert": s.server_ca_cert,
            "api_key": ServerKeys(ctx.conversations).get(s.server_url)}


class ServerForm(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker = ctx.worker
        self.keys = ServerKeys(ctx.conversations)
        self._check = None  # the handle of the running check
        self._checked: dict | None = None  # what the last check found, for the address it checked
        self._pending: dict | None = None  # the server being connected by Use this server
        s = ctx.settings
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Answer with a model served on your own network (vLLM, SGLang, llama.cpp's server, Ollama). For each "
            "question TermLens sends the server the conversation's messages: your question, the earlier turns and "
            "the definitions injected from your glossary. The glossary, term detection and your saved "
            "conversations stay on this computer."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.url = QLineEdit(s.server_url)
        self.url.setPlaceholderText("http://gpu-server:8000/v1")
        self.url.setAccessibleName(self.tr("Server address"))
        self.url.textChanged.connect(self._address_changed)
        form.addRow(self.tr("Address:"), self.url)
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.Password)
        self.api_key.setAccessibleName(self.tr("API key"))
        form.addRow(self.tr("API key:"), self.api_key)
        ca_row = QHBoxLayout()
        self.ca_cert = QLineEdit(s.server_ca_cert)
        self.ca_cert.setPlaceholderText(self.tr("Optional: the CA certificate (PEM) of a private certificate"))
        self.ca_cert.setAccessibleName(self.tr("CA certificate file"))
        ca_row.addWidget(self.ca_cert, 1)
        self.ca_btn = QPushButton(self.tr("Browse…"))
        self.ca_btn.setAccessibleName(self.tr("Choose a CA certificate file"))
        self.ca_btn.clicked.connect(self._browse_ca)
        ca_row.addWidget(self.ca_btn)
        form.addRow(self.tr("CA certificate:"), ca_row)
        check_row = QHBoxLayout()
        self.check_btn = QPushButton(self.tr("Check"))
        self.check_btn.setAccessibleName(self.tr("Check what the server offers"))
        self.check_btn.clicked.connect(self.check)
        check_row.addWidget(self.check_btn)
        check_row.addStretch(1)
        form.addRow("", check_row)
        self.result = QLabel()
        self.result.setObjectName("serverCheck")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        form.addRow(self.result)
        self.model = QComboBox()
        self.model.setAccessibleName(self.tr("The server's model"))
        form.addRow(self.tr("Model:"), self.model)
        self.adapter = QComboBox()
        self.adapter.setAccessibleName(self.tr("Server-side LoRA adapter"))
        form.addRow(self.tr("Adapter:"), self.adapter)
        use_row = QHBoxLayout()
        self.use_btn = QPushButton(self.tr("Use this server"))
        self.use_btn.setAccessibleName(self.tr("Answer through this server"))
        self.use_btn.clicked.connect(self.use)
        use_row.addWidget(self.use_btn)
        use_row.addStretch(1)
        form.addRow("", use_row)
        lay.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.worker.loaded.connect(self._on_loaded)
        self.worker.load_failed.connect(self._on_load_failed)
        self._address_changed(self.url.text())

    def disconnect_worker(self) -> None:
        for sig, slot in ((self.worker.loaded, self._on_loaded), (self.worker.load_failed, self._on_load_failed)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    # ---- the form ----------------------------------------------------------------------
    def _address_changed(self, text: str) -> None:
        """Another address: what was found for the last one no longer applies."""
        self._check = None
        self._checked = None
        self.result.clear()
        self.message.clear()
        self.model.clear()
        self.adapter.clear()
        self.use_btn.setEnabled(False)
        saved = self.ctx.settings.server_url
        kept = text.strip() == saved and bool(self.keys.get(saved))  # no keyring lookup per keystroke
        self.api_key.setPlaceholderText(self.tr("Kept securely; type a new one to replace it") if kept
                                        else self.tr("Optional"))

    def _browse_ca(self) -> None:
        path = file_dialogs.open_file(self, self.tr("Choose a CA certificate"),
                                      self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"))
        if path:
            self.ca_cert.setText(path)

    def server(self) -> dict:
        """The server as the form describes it; the typed API key, else the one kept for it."""
        url = self.url.text().strip()
        key = self.api_key.text().strip()
        if not key:
            checked = (self._checked or {}).get("url", "")  # the address as the server answered at it
            key = self.keys.get(url) or self.keys.get(checked or url.rstrip("/") + "/v1")
        return {"url": url, "api_key": key, "ca_cert": self.ca_cert.text().strip(),
                "model": self.model.currentData() or "", "adapter": self.adapter.currentData() or ""}

    def check_lines(self, r: dict) -> list[str]:
        """What Check found, one readable line each, in the interface language."""
        names = ", ".join(m["id"] for m in r["models"] if m["id"] not in r["adapters"]) or self.tr("none")
        return [
            self.tr("The server at {url} serves: {names}.").format(url=r["url"], names=names),
            self.tr("It streams answers word by word.") if r["streams"] else
            self.tr("It did not stream a test answer; chatting through it may not work."),
            self.tr("It returns log-probabilities: evaluation can score multiple-choice items through it.")
            if r["logprobs"] else
            self.tr("It returns no log-probabilities: evaluation cannot score multiple-choice items through it."),
            self.tr("It serves these LoRA adapters: {names}.").format(names=", ".join(r["adapters"]))
            if r["adapters"] else
            self.tr("It serves no LoRA adapters (vLLM and SGLang serve them when started with --enable-lora)."),
        ]

    # ---- actions -----------------------------------------------------------------------
    def check(self) -> None:
        if not self.url.text().strip():
            show_message(self.message, self.tr("Type the server's address first, like http://gpu-server:8000/v1."),
                         error=True)
            return
        self.result.setText(self.tr("Asking the server what it offers…"))
        self.message.clear()
        self.use_btn.setEnabled(False)
        handle = self._check = self.worker.submit(check_server_job(self.server()))
        handle.finished.connect(lambda r: handle is self._check and self._on_checked(r))
        handle.failed.connect(lambda sentence: handle is self._check and self._on_check_failed(sentence))

    def _on_checked(self, r: dict) -> None:
        self._checked = r
        self.result.setText("\n".join(self.check_lines(r)))
        s = self.ctx.settings
        self.model.clear()
        for m in r["models"]:
            if not m["parent"] or m["parent"] == m["id"]:
                self.model.addItem(m["id"], m["id"])
        self.adapter.clear()
        self.adapter.addItem(self.tr("None"), "")
        for name in r["adapters"]:
            self.adapter.addItem(name, name)
        same = r["url"] == s.server_url
        self.model.setCurrentIndex(max(0, self.model.findData(s.server_model)) if same else 0)
        self.adapter.setCurrentIndex(max(0, self.adapter.findData(s.server_adapter)) if same else 0)
        self.use_btn.setEnabled(self.model.count() > 0)

    def _on_check_failed(self, sentence: str) -> None:
        self.result.clear()
        show_message(self.message, sentence, error=True)

    def use(self) -> None:
        if self._checked is None or self.model.count() == 0:
            return
        server = {**self.server(), "url": self._checked["url"]}  # the address as the server answered at it
        self._pending = {**server, "typed_key": self.api_key.text().strip()}
        self.use_btn.setEnabled(False)
        show_message(self.message, self.tr("Connecting to {url}…").format(url=server["url"]), error=False)
        self.worker.request_connect(server)

    # ---- from the worker ---------------------------------------------------------------
    def _on_loaded(self, info: dict) -> None:
        pending, self._pending = self._pending, None
        if pending is None or info.get("engine") != "server":
            return
        s = self.ctx.settings
        if pending["typed_key"]:
            self.keys.set(pending["url"], pending["typed_key"])  # kept once the server accepted it
            self.api_key.clear()
        s.use_server, s.server_url, s.server_model = True, pending["url"], pending["model"]
        s.server_adapter, s.server_ca_cert = pending["adapter"], pending["ca_cert"]
        self.ctx.save_settings()
        self.use_btn.setEnabled(True)
        show_message(self.message, self.tr("Answers now come from {model} on the server at {url}.").format(
            model=pending["adapter"] or pending["model"], url=pending["url"]), error=False)

    def _on_load_failed(self, sentence: str) -> None:
        if self._pending is None:
            return
        self._pending = None
        self.use_btn.setEnabled(True)
        show_message(self.message, sentence + " " + self.tr("The previous model, if any, is still in use."),
                     error=True)
