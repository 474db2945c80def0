"""How the evaluation report writes its figures, in one place: the report's Markdown
(``desktop.engine.evaluate.report``) and the Evaluation page (``desktop.ui``, which may
not import the engine) show the same cells.

Works on any object shaped like the report (``methods``, ``summaries``, ``group()``);
pure Python, no torch, no Qt.
"""

from __future__ import annotations

from typing import Any

NONE = "–"


def accuracy_cell(group: Any, *, with_n: bool = True) -> str:
    """'0.67 [0.21, 0.94] n=3' for a group score (accuracy and 95% Wilson interval); '–' when empty."""
    if group is None or not group.n:
        return NONE
    lo, hi = group.ci
    return f"{group.accuracy:.2f} [{lo:.2f}, {hi:.2f}]" + (f" n={group.n}" if with_n else "")


def memory(nbytes: int | None) -> str:
    """'1,234 MiB', '56 KiB', or '?' when unknown."""
    if nbytes is None:
        return "?"
    return f"{nbytes / 2**20:,.0f} MiB" if abs(nbytes) >= 2**20 else f"{nbytes / 1024:,.0f} KiB"


def p_value(p: float) -> str:
    """'p=0.012', or 'p<0.001' for the smallest values."""
    return f"p={p:.3f}" if p >= 0.001 else "p<0.001"


def method_cells(report: Any, method: str, *, test_name: bool = False) -> list[str]:
    """One method's row after its name: n, accuracy [95% CI], L1, L2, unnormalised multiple-choice
    accuracy, McNemar against base (with the test's name when ``test_name``), time, extra memory."""
    s = report.summaries[method]
    lo, hi = s.ci
    vs = s.vs_base
    if vs is None:
        test = NONE
    else:
        test = f"b={vs.b} c={vs.c}, {p_value(vs.p_value)}" + (f" ({vs.test.split(' (')[0]})" if test_name else "")
    return [str(s.n), f"{s.accuracy:.3f} [{lo:.3f}, {hi:.3f}]",
            accuracy_cell(report.group(method, "level:L1")), accuracy_cell(report.group(method, "level:L2")),
            NONE if s.acc_raw is None else f"{s.acc_raw:.3f}", test,
            f"{s.seconds:.1f} s", memory(s.extra_memory_bytes)]
