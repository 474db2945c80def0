"""The status bar: model, device (or the model server's address), dtype, memory in use, tokens/s of the last answer and
the time it took to its first token,
the active adapter, and a progress bar while something loads or runs.

Shows what the worker reports (``loaded``, ``loading``); asks nothing itself.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from desktop.ui.i18n import Retranslating


def human_bytes(n: int | None) -> str:
    if n is None:
        return "?"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


class StatusBar(Retranslating, QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info: dict = {}
        self.tok_s: float | None = None
        self.ttft_s: float | None = None  # seconds from Send to the first token of the last answer
        self.state = "none"  # none | loading | loaded | failed
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        self.model = QLabel()
        self.device = QLabel()
        self.memory = QLabel()
        self.speed = QLabel()
        self.adapter = QLabel()
        for name, w in (("statusModel", self.model), ("statusDevice", self.device), ("statusMemory", self.memory),
                        ("statusSpeed", self.speed), ("statusAdapter", self.adapter)):
            w.setObjectName(name)
        self.addWidget(self.progress)
        for w in (self.model, self.device, self.memory, self.speed, self.adapter):
            self.addPermanentWidget(w)
        self.retranslate()

    def retranslate(self) -> None:
        i = self.info
        if self.state == "loaded":
            self.model.setText(self.tr("Model: {name}").format(name=i.get("name", "?")))
        elif self.state == "loading":
            self.model.setText(self.tr("Model: loading…"))
        else:
            self.model.setText(self.tr("Model: none loaded"))
        dtype = i.get("dtype", "—")
        if i.get("weights") == "int8":
            dtype = self.tr("{dtype} · 8-bit weights").format(dtype=dtype)
        if i.get("engine") == "server":
            self.device.setText(self.tr("Server: {url}").format(url=i.get("device", "—")))
        else:
            self.device.setText(self.tr("{device} · {dtype}").format(device=i.get("device", "—"), dtype=dtype))
        self.memory.setText(self.tr("Memory: {mem}").format(
            mem=human_bytes(i.get("memory_bytes")) if i.get("memory_bytes") else "—"))
        self.speed.setText(self.tr("Last answer: {rate}").format(
            rate=f"{self.tok_s:.1f} tok/s" if self.tok_s is not None else "—"))
        if self.ttft_s is not None:
            self.speed.setText(self.speed.text() + " · " + self.tr("first token after {s} s").format(
                s=f"{self.ttft_s:.2f}"))
        self.adapter.setText(self.tr("Adapter: {name}").format(name=i.get("adapter") or self.tr("none")))
        for w, n in ((self.model, self.tr("Model in use")), (self.device, self.tr("Device and precision")),
                     (self.memory, self.tr("Memory in use")), (self.speed, self.tr("Speed of the last answer")),
                     (self.adapter, self.tr("Active adapter")), (self.progress, self.tr("Progress"))):
            w.setAccessibleName(n)

    # ---- from the worker -----------------------------------------------------------------
    def on_loading(self, fraction: float, what: str) -> None:
        self.state = "loading" if self.state != "loaded" else self.state
        self.progress.setVisible(fraction < 1.0)
        self.progress.setValue(int(fraction * 100))
        self.progress.setFormat(what)
        self.showMessage(what)
        self.retranslate()

    def on_loaded(self, info: dict) -> None:
        self.info = dict(info)
        self.state = "loaded"
        self.progress.setVisible(False)
        self.clearMessage()
        self.retranslate()

    def on_load_failed(self, sentence: str) -> None:
        self.progress.setVisible(False)
        if self.state == "loading":
            self.state = "none"
        self.showMessage(sentence, 15000)
        self.retranslate()

    def on_unloaded(self) -> None:
        self.info, self.state = {}, "none"
        self.retranslate()

    def on_stats(self, stats: dict) -> None:
        if stats.get("new_tokens"):
            self.tok_s = float(stats.get("tok_s", 0.0))
            self.ttft_s = float(stats["ttft_s"]) if stats.get("ttft_s") is not None else None
        if "adapter" in stats:
            self.info["adapter"] = stats["adapter"]
        self.retranslate()
