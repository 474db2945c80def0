"""The training loss chart: loss per step and held-out loss per epoch, in matplotlib.

Matplotlib is imported when the chart is first shown, so opening the window does not
pay for it; redraws are batched (at most one every ``REDRAW_MS``). Chinese axis labels
need a CJK font, which ``cjk_font_families`` finds even when it was installed after
matplotlib made its list of fonts. GUI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

REDRAW_MS = 250


CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Zen Hei")
CJK_FILE_HINTS = ("cjk", "sourcehan", "wqy", "msyh", "pingfang", "simhei", "simsun")


def cjk_font_families(font_manager) -> list[str]:
    """Font families matplotlib can draw Chinese with, best first.

    matplotlib keeps its own list of fonts, made once; a CJK font installed after that
    (the usual fix when the labels show boxes) is not in it, so the font folders are
    searched for one and it is added to the list.
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    found = [n for n in CJK_FAMILIES if n in names]
    if found:
        return found
    added: list[str] = []
    for path in font_manager.findSystemFonts():
        if not any(h in Path(path).name.lower() for h in CJK_FILE_HINTS):
            continue
        try:
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
        if name not in added:
            added.append(name)
    return sorted(added, key=lambda n: (not n.endswith(" SC"), n))



class LossChart(QWidget):
    """Training loss per step and held-out loss per epoch, redrawn at most every 250 ms.

    Matplotlib is imported when the chart is first shown, so opening the window does
    not pay for it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(180)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.canvas = None
        self.axes = None
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.val_points: list[tuple[int, float]] = []
        self.labels = ("step", "loss", "training loss", "held-out loss")
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_MS, timeout=self.redraw)

    def _ensure_canvas(self) -> None:
        if self.canvas is not None:
            return
        import matplotlib
        from matplotlib import font_manager
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        # Chinese labels need a CJK font after DejaVu Sans (which has none); use what is installed
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", *cjk_font_families(font_manager)]
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        self._steps_locator = MaxNLocator(integer=True)

        figure = Figure(figsize=(5, 2.6), dpi=90, layout="tight")
        self.canvas = FigureCanvasQTAgg(figure)
        self.canvas.setAccessibleName(self.accessibleName())
        self.axes = figure.add_subplot(1, 1, 1)
        self._layout.addWidget(self.canvas)

    def set_data(self, losses: list[float], val_points: list[tuple[int, float]]) -> None:
        self.losses = list(losses)
        self.steps = list(range(1, len(losses) + 1))
        self.val_points = list(val_points)
        if not self._timer.isActive():
            self._timer.start()

    def redraw(self) -> None:
        if self.canvas is None:
            return
        ax = self.axes
        ax.clear()
        x_label, y_label, train_label, val_label = self.labels
        ax.xaxis.set_major_locator(self._steps_locator)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.grid(True, alpha=0.3)
        if self.losses:
            # a single step is a point, not a line: give it a marker so it can be seen
            ax.plot(self.steps, self.losses, "o-" if len(self.losses) == 1 else "-", color="#2a6fdb",
                    linewidth=1.2, markersize=5, label=train_label)
        if self.val_points:
            xs, ys = zip(*self.val_points)
            ax.plot(xs, ys, "o--", color="#d9822b", markersize=5, linewidth=1, label=val_label)
        if self.losses or self.val_points:
            ax.legend(loc="upper right", fontsize="small")
            last = max([len(self.losses)] + [x for x, _ in self.val_points])
            if last < 5:  # matplotlib would pad one point to 0.945-1.050; steps are whole numbers
                ax.set_xlim(0.5, last + 0.5)
                ax.set_xticks(range(1, last + 1))
        self.canvas.draw_idle()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        self._ensure_canvas()
        self.redraw()
        super().showEvent(event)

    def stop(self) -> None:
        self._timer.stop()
