"""The model manager: pick a model folder, check it (what it is, memory needed against
memory free) before loading, load it with progress, or unload; or, on the second tab,
answer through a model server on the user's network (``desktop.ui.server_form``).

The check runs as a job on the model thread (it needs the engine, which the window
never imports); the dialog listens to that job's handle only. A failed load — a corrupt folder, pickle-only weights, not enough
memory, CUDA out of memory — is shown here as a sentence; the worker keeps the
previous model, so the chat goes on answering with it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QProgressBar, QPushButton, QTabWidget, QVBoxLayout, QWidget,
)

from desktop.ui import file_dialogs
from desktop import paths
from desktop.ui.feedback import show_message
from desktop.ui.server_form import ServerForm
from desktop.ui.status_bar import human_bytes
from desktop.workers.jobs import check_model_job, find_models_job

DEMO_MODEL = "SmolLM2-135M-Instruct"  # the embedded default model


class ModelManagerDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker = ctx.worker
        self.loading_path = ""
        self.loading_weights = "full"
        self.setWindowTitle(self.tr("Model manager"))
        self.resize(680, 560)
        outer = QVBoxLayout(self)
        self.current = QLabel()
        self.current.setWordWrap(True)
        outer.addWidget(self.current)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs, 1)
        local = QWidget()
        lay = QVBoxLayout(local)
        self.tabs.addTab(local, self.tr("On this computer"))
        self.server_form = ServerForm(ctx)
        self.tabs.addTab(self.server_form, self.tr("A server on your network"))
        if ctx.settings.use_server:
            self.tabs.setCurrentWidget(self.server_form)
        lay.addWidget(QLabel(self.tr("Installed models:")))
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Installed models"))
        self.list.currentItemChanged.connect(
            lambda item, _old: item is not None and self.path.setText(item.data(Qt.UserRole)))
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr("Model folder (config.json and *.safetensors) or a .gguf file"))
        self.path.setAccessibleName(self.tr("Model folder"))
        self.path.textChanged.connect(self._path_changed)
        row.addWidget(self.path, 1)
        self.browse_btn = QPushButton(self.tr("Browse…"))
        self.browse_btn.setAccessibleName(self.tr("Choose a model folder"))
        self.browse_btn.clicked.connect(self._browse)
        row.addWidget(self.browse_btn)
        lay.addLayout(row)
        wrow = QHBoxLayout()
        wlabel = QLabel(self.tr("Weights:"))
        wrow.addWidget(wlabel)
        self.weights = QComboBox()
        self.weights.addItem(self.tr("Full precision"), "full")
        self.weights.addItem(self.tr("8-bit (about half the memory, for smaller GPUs)"), "int8")
        self.weights.setAccessibleName(self.tr("Weight precision"))
        self.weights.setToolTip(self.tr(
            "8-bit stores each layer's weights in one byte instead of two: a 7B model fits a 12 GB graphics card. "
            "Answers change slightly; training needs full precision."))
        wlabel.setBuddy(self.weights)
        i = self.weights.findData(ctx.settings.weights)
        self.weights.setCurrentIndex(max(i, 0))
        wrow.addWidget(self.weights, 1)
        lay.addLayout(wrow)
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        self.check_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.check_label)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Loading progress"))
        self.progress.setVisible(False)
        lay.addWidget(self.progress)
        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.message)
        actions = QHBoxLayout()
        self.check_btn = QPushButton(self.tr("Check"))
        self.check_btn.setAccessibleName(self.tr("Check the model folder without loading it"))
        self.check_btn.clicked.connect(self.check)
        self.load_btn = QPushButton(self.tr("Load"))
        self.load_btn.setAccessibleName(self.tr("Load this model"))
        self.load_btn.clicked.connect(self.load)
        self.unload_btn = QPushButton(self.tr("Unload"))
        self.unload_btn.setAccessibleName(self.tr("Unload the current model"))
        self.unload_btn.clicked.connect(self.worker.request_unload)
        actions.addStretch(1)
        for b in (self.check_btn, self.load_btn, self.unload_btn):
            actions.addWidget(b)
        lay.addLayout(actions)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

        self._check = None  # the handle of the running check
        w = self.worker
        w.loading.connect(self._on_loading)
        w.loaded.connect(self._on_loaded)
        w.load_failed.connect(self._on_load_failed)
        w.unloaded.connect(self._on_unloaded)
        self.finished.connect(self._disconnect)
        self._fill()
        self._find = self.worker.submit(find_models_job())  # models of LM Studio, Ollama, the Hugging Face cache
        self._find.finished.connect(self._on_found)
        self._show_current(parent.status.info if parent is not None and hasattr(parent, "status") else {})

    def _disconnect(self) -> None:
        self.server_form.disconnect_worker()
        w = self.worker
        for sig, slot in ((w.loading, self._on_loading), (w.loaded, self._on_loaded),
                          (w.load_failed, self._on_load_failed), (w.unloaded, self._on_unloaded)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    def _fill(self) -> None:
        self.list.clear()
        for folder in sorted(paths.models_dir().iterdir()):
            if folder.is_dir() and not folder.name.startswith("."):
                item = QListWidgetItem(folder.name)
                item.setData(Qt.UserRole, str(folder))
                self.list.addItem(item)
        if self.ctx.model_dir:
            self.path.setText(self.ctx.model_dir)

    def _show_current(self, info: dict) -> None:
        if info.get("engine") == "server":
            self.current.setText(self.tr("In use: {name} on the model server at {url}.").format(
                name=info.get("adapter") or info["name"], url=info.get("device", "?")))
        elif info.get("name"):
            dtype = info.get("dtype", "?")
            if info.get("weights") == "int8":
                dtype = self.tr("{dtype}, 8-bit weights").format(dtype=dtype)
            self.current.setText(self.tr("In use: {name} on {device} ({dtype}), {mem} of memory.").format(
                name=info["name"], device=info.get("device", "?"), dtype=dtype,
                mem=human_bytes(info.get("memory_bytes"))))
            if info.get("engine"):
                self.current.setText(self.current.text() + "\n" + self.tr("Engine: {engine}, because {why}.").format(
                    engine=info["engine"], why=info.get("engine_reason") or self.tr("it was chosen")))
            if info["name"] == DEMO_MODEL:
                self.current.setText(self.current.text() + "\n" + demo_note(self))
        else:
            self.current.setText(self.tr("No model is loaded."))

    def _on_found(self, rows: list) -> None:
        """Add the models found elsewhere on the machine to the list (TermLens's own are there already)."""
        for r in rows:
            if r["source"] == "TermLens":
                continue
            fits = {True: self.tr("fits in memory"), False: self.tr("does not fit in memory"), None: ""}[r["fits"]]
            text = (f"{r['name']} — {r['source']}: " + (r["problem"] or
                    f"{r['quantization']}, {human_bytes(r['size_bytes'])}, {fits}, {r['engine']}"))
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, r["path"])
            self.list.addItem(item)

    def _path_changed(self, _text: str) -> None:
        """Another path: what was said about the last one (its check, a failed load) no longer applies."""
        if not self.loading_path:
            self._check = None  # a check still running speaks of the old path: its answer is dropped
            self.check_label.clear()
            self.message.clear()

    def _browse(self) -> None:
        folder = file_dialogs.folder(self, self.tr("Choose a model folder"))
        if folder:
            self.path.setText(folder)

    # ---- actions -----------------------------------------------------------------------
    def check(self) -> None:
        path = self.path.text().strip()
        if not path:
            return
        self.check_label.setText(self.tr("Checking {name}…").format(name=Path(path).name))
        self.message.clear()
        handle = self._check = self.worker.submit(check_model_job(path, weights=self.weights.currentData()))
        handle.finished.connect(lambda r: handle is self._check and self._on_checked(r))
        handle.failed.connect(lambda sentence: handle is self._check and self.check_label.setText(sentence))

    def load(self) -> None:
        path = self.path.text().strip()
        if not path:
            return
        self.loading_path = path
        self.message.clear()
        self.progress.setVisible(True)
        self.progress.setValue(0)
        self.load_btn.setEnabled(False)
        self.loading_weights = self.weights.currentData()
        self.worker.request_load(path, weights=self.loading_weights)

    # ---- from the worker ------------------------------------------------------------------
    def _on_checked(self, r: dict) -> None:
        free = human_bytes(r["free_bytes"]) if r.get("free_bytes") is not None else self.tr("unknown")
        verdict = self.tr("It fits.") if r.get("fits") else self.tr("Not enough free memory to load it.")
        if r.get("weights") == "int8" and r.get("device") == "cpu":
            verdict += " " + self.tr("On a CPU, 8-bit weights save memory but answer more slowly; they are meant "
                                     "for graphics cards too small for the full model.")
        self.check_label.setText(self.tr("{summary}\nMemory needed on {device}: {need}; free: {free}. {verdict}").format(
            summary=r.get("summary", ""), device=r.get("device", "?"), need=human_bytes(r.get("needed_bytes")),
            free=free, verdict=verdict))
        if r.get("engine"):
            self.check_label.setText(self.check_label.text() + "\n" + self.tr("Engine: {engine}, because {why}.").format(
                engine=r["engine"], why=r.get("engine_reason", "")))

    def _on_loading(self, fraction: float, what: str) -> None:
        self.progress.setVisible(True)
        self.progress.setValue(int(fraction * 100))
        self.progress.setFormat(what)

    def _on_loaded(self, info: dict) -> None:
        self.progress.setVisible(False)
        self.load_btn.setEnabled(True)
        self._show_current(info)
        if self.loading_path:
            show_message(self.message, self.tr("Loaded {name}.").format(name=info.get("name", "")), error=False)
            self.ctx.settings.model_path = info.get("path", self.loading_path)
            self.ctx.settings.weights = info.get("weights", self.loading_weights)
            self.ctx.settings.use_server = False  # a model on this computer answers from now on
            self.ctx.save_settings()
            self.loading_path = ""

    def _on_load_failed(self, sentence: str) -> None:
        self.progress.setVisible(False)
        self.load_btn.setEnabled(True)
        self.loading_path = ""
        show_message(self.message, sentence + " " + self.tr("The previous model, if any, is still in use."), error=True)

    def _on_unloaded(self) -> None:
        self._show_current({})
        show_message(self.message, self.tr("The model was unloaded; its memory is free."), error=False)


def demo_note(widget: QWidget) -> str:
    """What the window says while the embedded model is loaded."""
    return widget.tr(
        "This is a small demonstration model (135 million parameters): its answers are often wrong, so do not rely on "
        "them. Load a real model here: a model folder such as Qwen2.5-7B-Instruct, a GGUF file from LM Studio or "
        "Ollama (listed above when found), or any .gguf file (type its path above).")
