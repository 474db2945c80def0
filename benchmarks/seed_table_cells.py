"""The method table's cells for ``benchmarks/seed_table.py``: accuracy per method, split and
level with Wilson intervals and McNemar against base, and their Markdown."""

from __future__ import annotations

CELLS = [("seen", "L1"), ("seen", "L2"), ("seen", None), ("held-out", "L1"), ("held-out", "L2"),
         ("held-out", None), ("general", None)]


def cell_rows(items: list[dict], method: str, split: str, level: str | None) -> dict[str, bool]:
    out = {}
    for r in items:
        if r["method"] != method:
            continue
        # the split is the one the items were made for (their id's prefix), whatever the run's adapter
        tag = {"seen": "seen-", "held-out": "held-"}.get(split, "")
        in_cell = (r["subject_field"] == "general" and r["split"] == "n/a") if split == "general" else \
            (r["item_id"].startswith(tag) and (level is None or r["level"] == level))
        if in_cell:
            out[r["item_id"]] = bool(r["correct"])
    return out


def table(report: dict, methods: list[str], base_report: dict | None = None) -> dict:
    """Cells of ``methods`` in ``report``; McNemar against base of ``base_report`` (default: the same)."""
    from desktop.engine.evaluate.stats import mcnemar, paired_counts, wilson

    items = report["items"]
    base_items = (base_report or report)["items"]
    cells: dict = {}
    for m in methods:
        for split, level in CELLS:
            key = f"{split}" + (f" {level}" if level else "")
            rows = cell_rows(items, m, split, level)
            n, k = len(rows), sum(rows.values())
            if not n:
                continue
            lo, hi = wilson(k, n)
            cell = {"n": n, "correct": k, "acc": k / n, "lo": lo, "hi": hi}
            base = cell_rows(base_items, "base", split, level)
            if m != "base" and base:
                t = mcnemar(*paired_counts(base, rows))
                cell.update(p=t.p_value, b=t.b, c=t.c)
            cells.setdefault(m, {})[key] = cell
    return cells


def markdown(cells: dict, methods: list[str], *, title: str) -> str:
    keys = [f"{s}" + (f" {lv}" if lv else "") for s, lv in CELLS]
    keys = [k for k in keys if any(k in cells.get(m, {}) for m in methods)]
    lines = [f"**{title}**", "", "| method | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for m in methods:
        row = []
        for k in keys:
            c = cells.get(m, {}).get(k)
            if c is None:
                row.append("")
                continue
            row.append(fmt_cell(c))
        lines.append(f"| {m} | " + " | ".join(row) + " |")
    ns = {k: next((cells[m][k]["n"] for m in methods if k in cells.get(m, {})), 0) for k in keys}
    lines += ["", "n per cell: " + ", ".join(f"{k} {v}" for k, v in ns.items()),
              "Accuracy [95% Wilson interval]; p: McNemar's test against base on the same items "
              "(exact binomial for few discordant pairs)."]
    return "\n".join(lines)


def fmt_cell(c: dict) -> str:
    txt = f"{c['acc']:.3f} [{c['lo']:.2f}, {c['hi']:.2f}]"
    return txt + (f" p={c['p']:.3g}" if "p" in c else "")


def whole_set_cells(report: dict, method: str, base_report: dict) -> dict:
    """L1, L2 and all items of one test set for ``method``, McNemar against base on the same items."""
    from desktop.engine.evaluate.stats import mcnemar, paired_counts, wilson

    cells = {}
    for key in ("L1", "L2", "all"):
        def rows(rep: dict, m: str) -> dict[str, bool]:
            return {r["item_id"]: bool(r["correct"]) for r in rep["items"]
                    if r["method"] == m and key in ("all", r["level"])}
        mine, base = rows(report, method), rows(base_report, "base")
        if not mine:
            continue
        n, k = len(mine), sum(mine.values())
        lo, hi = wilson(k, n)
        cells[key] = {"n": n, "correct": k, "acc": k / n, "lo": lo, "hi": hi}
        if method != "base" and base:
            t = mcnemar(*paired_counts(base, mine))
            cells[key].update(p=t.p_value, b=t.b, c=t.c)
    return cells


def find_key(meta: object, key: str) -> object:
    """The first value of ``key`` anywhere in nested dicts (the adapter's metadata)."""
    if isinstance(meta, dict):
        if key in meta:
            return meta[key]
        for v in meta.values():
            found = find_key(v, key)
            if found is not None:
                return found
    return None
