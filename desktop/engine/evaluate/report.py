"""The evaluation report: per-item results, grouped accuracies, paired tests and exports.

``EvalReport`` holds one ``ItemResult`` per (method, item) and, once
``summarise()`` has run, per method: accuracy with a 95% Wilson interval overall,
for L1 and L2, per subject field, per language, for items the adapter was trained
on ("seen") and not ("held-out") — always apart — and, for injection methods,
for items whose terms the matcher found and missed; a McNemar test of each method
against base on the same items; time and extra memory. ``write(folder)`` exports
``report.md``, ``groups.csv``, ``items.csv``, ``report.json`` and ``accuracy.png``
(matplotlib, Agg canvas; no window). A report kept inside the data directory may
quote the user's questions and the model's answers, so there every file is written
encrypted (``desktop.storage.appdata.write_private``); a folder the person chose elsewhere
gets plain files. ``load_report(folder)`` reads either kind back. Knows nothing of Qt
or of the model.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from desktop.engine.evaluate.stats import McNemar, mcnemar, paired_counts, wilson
from desktop.errors import EvaluationError
from desktop.evaluation_format import accuracy_cell, method_cells, p_value
from glossary.testset import NO_CONCEPTS

FOUND = "found"  # the matcher detected every concept of the item
MISSED = "missed"  # it missed at least one

FILES = {"md": "report.md", "csv": "groups.csv", "items": "items.csv", "json": "report.json",
         "png": "accuracy.png"}


@dataclass
class ItemResult:
    item_id: str
    method: str
    level: str
    subject_field: str
    lang: str
    kind: str  # "mc" or "free"
    split: str  # seen / held-out / partial / n/a
    correct: bool  # mc: by acc_norm; free text: coverage >= pass threshold
    correct_raw: bool | None = None  # mc: by the unnormalised log-likelihood
    chosen: int | None = None  # mc: the option picked (acc_norm)
    answer: int | None = None
    logprobs: list[float] = field(default_factory=list)
    coverage: float | None = None  # free text
    output: str = ""  # free text: the model's answer
    detection: str = ""  # items about glossary concepts: found / missed by the matcher ("" for the rest)
    injected: list[int] = field(default_factory=list)  # concept ids put into the prompt
    term_issues: list[str] = field(default_factory=list)  # free text: the answer's term issues (their kinds)
    seconds: float = 0.0


@dataclass
class GroupScore:
    method: str
    group: str  # "all", "level:L1", "field:law", "split:seen", "terms:missed", "kind:mc", "lang:zh"
    n: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def ci(self) -> tuple[float, float]:
        return wilson(self.correct, self.n)

    def to_dict(self) -> dict:
        lo, hi = self.ci
        return {"method": self.method, "group": self.group, "n": self.n, "correct": self.correct,
                "accuracy": round(self.accuracy, 4), "ci_low": round(lo, 4), "ci_high": round(hi, 4)}


@dataclass
class MethodSummary:
    method: str
    n: int = 0
    correct: int = 0
    acc_raw: float | None = None  # mc items scored without length normalisation
    n_mc: int = 0
    seconds: float = 0.0
    extra_memory_bytes: int | None = None
    memory_note: str = ""
    vs_base: McNemar | None = None
    n_free: int = 0  # free-text answers
    with_term_issues: int = 0  # free-text answers using a non-preferred or forbidden term, or missing a question's

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def ci(self) -> tuple[float, float]:
        return wilson(self.correct, self.n)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["vs_base"] = self.vs_base.to_dict() if self.vs_base else None
        d["accuracy"] = round(self.accuracy, 4)
        d["ci_low"], d["ci_high"] = (round(x, 4) for x in self.ci)
        return d


@dataclass
class EvalReport:
    """Everything one evaluation run measured. Build with ``run_eval``; export with ``write``."""

    meta: dict = field(default_factory=dict)
    methods: list[str] = field(default_factory=list)  # methods that ran, in order
    skipped: dict[str, str] = field(default_factory=dict)  # method -> why it did not run
    results: list[ItemResult] = field(default_factory=list)
    summaries: dict[str, MethodSummary] = field(default_factory=dict)
    groups: list[GroupScore] = field(default_factory=list)
    forgetting: dict | None = None  # general-knowledge items: lora against base
    stopped: bool = False  # cancelled before every item was scored
    notes: list[str] = field(default_factory=list)

    # -- aggregation --

    def by_method(self, method: str) -> list[ItemResult]:
        return [r for r in self.results if r.method == method]

    def group(self, method: str, group: str) -> GroupScore | None:
        return next((g for g in self.groups if g.method == method and g.group == group), None)

    def group_names(self) -> list[str]:
        return list(dict.fromkeys(g.group for g in self.groups))

    def summarise(self) -> EvalReport:
        """Compute groups, paired tests and the forgetting check from ``results``."""
        self.groups = []
        for m in self.methods:
            rows = self.by_method(m)
            s = self.summaries.setdefault(m, MethodSummary(method=m))
            s.n, s.correct = len(rows), sum(r.correct for r in rows)
            mc = [r for r in rows if r.kind == "mc"]
            s.n_mc = len(mc)
            s.acc_raw = sum(bool(r.correct_raw) for r in mc) / len(mc) if mc else None
            free = [r for r in rows if r.kind == "free"]
            s.n_free, s.with_term_issues = len(free), sum(bool(r.term_issues) for r in free)
            self.groups.extend(_groups(m, rows))
        base = {r.item_id: r.correct for r in self.by_method("base")}
        for m in self.methods:
            if m != "base" and base:
                other = {r.item_id: r.correct for r in self.by_method(m)}
                self.summaries[m].vs_base = mcnemar(*paired_counts(base, other))
        self.forgetting = self._forgetting()
        return self

    def _forgetting(self) -> dict | None:
        if "base" not in self.methods or "lora" not in self.methods:
            return None
        base = {r.item_id: r.correct for r in self.by_method("base") if r.subject_field == "general"}
        lora = {r.item_id: r.correct for r in self.by_method("lora") if r.subject_field == "general"}
        common = base.keys() & lora.keys()
        if not common:
            return None
        b_acc = sum(base[i] for i in common) / len(common)
        l_acc = sum(lora[i] for i in common) / len(common)
        return {"n": len(common), "base": round(b_acc, 4), "lora": round(l_acc, 4),
                "delta": round(l_acc - b_acc, 4), "mcnemar": mcnemar(*paired_counts(base, lora)).to_dict()}

    # -- export --

    def to_dict(self) -> dict:
        return {
            "meta": self.meta,
            "methods": self.methods,
            "skipped": self.skipped,
            "stopped": self.stopped,
            "notes": self.notes,
            "summaries": {m: s.to_dict() for m, s in self.summaries.items()},
            "groups": [g.to_dict() for g in self.groups],
            "forgetting": self.forgetting,
            "items": [asdict(r) for r in self.results],
        }

    def markdown(self) -> str:
        return _markdown(self)

    def files(self) -> dict[str, bytes]:
        """The export files' names (keys of ``FILES``) and contents."""
        groups = io.StringIO(newline="")
        w = csv.DictWriter(groups, fieldnames=["method", "group", "n", "correct", "accuracy", "ci_low", "ci_high"])
        w.writeheader()
        w.writerows(g.to_dict() for g in self.groups)
        items = io.StringIO(newline="")
        cols = ["method", "item_id", "level", "subject_field", "lang", "kind", "split", "correct",
                "correct_raw", "chosen", "answer", "coverage", "detection", "injected", "seconds", "output"]
        w = csv.DictWriter(items, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in self.results:
            row = asdict(r)
            row["injected"] = " ".join(map(str, r.injected))
            row["seconds"] = round(r.seconds, 3)
            w.writerow(row)
        return {
            "md": self.markdown().encode("utf-8"),
            "csv": groups.getvalue().encode("utf-8"),
            "items": items.getvalue().encode("utf-8"),
            "json": json.dumps(self.to_dict(), ensure_ascii=False, indent=1).encode("utf-8"),
            "png": png_bytes(self),
        }

    def write(self, folder: str | Path, *, private: bool | None = None,
              contents: dict[str, bytes] | None = None) -> dict[str, Path]:
        """Write report.md, groups.csv, items.csv, report.json and accuracy.png into ``folder``.

        ``private``: encrypt every file with the data key; by default, exactly when
        ``folder`` lies inside the data directory. ``contents``: what ``files()`` returned,
        when the caller has it already. Raises ``StorageError`` (a full disk, no
        permission) with a sentence naming the folder.
        """
        out = Path(folder)
        if private is None:
            private = inside_data_dir(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from desktop.errors import StorageError

            raise StorageError.of("The report folder {folder} cannot be created ({reason}).", folder=str(out),
                                  reason=exc.strerror or str(exc)) from exc
        put = _private_writer() if private else _plain_writer
        paths = {k: out / name for k, name in FILES.items()}
        for key, data in (contents or self.files()).items():
            put(paths[key], data)
        return paths

    @classmethod
    def from_dict(cls, data: dict) -> EvalReport:
        """A report from ``to_dict()``'s output (what report.json holds)."""
        try:
            known = {f.name for f in fields(ItemResult)}
            report = cls(meta=dict(data.get("meta") or {}), methods=list(data["methods"]),
                         skipped=dict(data.get("skipped") or {}), stopped=bool(data.get("stopped")),
                         notes=list(data.get("notes") or []))
            report.results = [ItemResult(**{k: v for k, v in r.items() if k in known}) for r in data["items"]]
            for m, s in (data.get("summaries") or {}).items():
                report.summaries[m] = MethodSummary(method=m, seconds=float(s.get("seconds", 0.0)),
                                                    extra_memory_bytes=s.get("extra_memory_bytes"),
                                                    memory_note=s.get("memory_note", ""))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EvaluationError.of("This is not a TermLens evaluation report ({error}).", error=type(exc).__name__) from exc
        return report.summarise()


def inside_data_dir(path: str | Path) -> bool:
    """Whether ``path`` lies inside TermLens's data directory (where reports are encrypted)."""
    from desktop import paths

    try:
        Path(path).resolve().relative_to(paths.home().resolve())
    except ValueError:
        return False
    return True


def _plain_writer(path: Path, data: bytes) -> None:
    from desktop.storage.atomic import write_bytes_atomic

    write_bytes_atomic(path, data)


def _private_writer() -> Callable[[Path, bytes], None]:
    from desktop.storage import appdata

    appdata.data_key()  # unlock (or refuse) before the first file, so a refusal leaves no partial report
    return appdata.write_private


def load_report(folder: str | Path) -> EvalReport:
    """The report saved in ``folder`` (its report.json, encrypted or not)."""
    path = Path(folder) / FILES["json"]
    if not path.is_file():
        raise EvaluationError.of("There is no evaluation report in {folder} (no {file}).", folder=str(folder),
                                 file=FILES["json"])
    from desktop.storage import appdata, crypto

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EvaluationError.of("The report in {folder} cannot be read ({reason}).", folder=str(folder),
                                 reason=exc.strerror or str(exc)) from exc
    if crypto.is_encrypted_blob(raw):
        raw = appdata.read_private(path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvaluationError.of("The report in {folder} is damaged ({error}).", folder=str(folder),
                                 error=type(exc).__name__) from exc
    if not isinstance(data, dict):
        raise EvaluationError.of("The report in {folder} is not a TermLens evaluation report.", folder=str(folder))
    return EvalReport.from_dict(data)


def _groups(method: str, rows: list[ItemResult]) -> list[GroupScore]:
    keys: dict[str, list[bool]] = {"all": [r.correct for r in rows]}

    def add(name: str, r: ItemResult) -> None:
        keys.setdefault(name, []).append(r.correct)

    for r in sorted(rows, key=lambda r: (r.level, r.subject_field, r.lang)):
        add(f"level:{r.level}", r)
    for r in sorted(rows, key=lambda r: r.subject_field):
        add(f"field:{r.subject_field}", r)
    for r in sorted(rows, key=lambda r: r.lang):
        add(f"lang:{r.lang}", r)
    for r in rows:
        add(f"kind:{r.kind}", r)
    for r in rows:
        if r.split != NO_CONCEPTS:
            add(f"split:{r.split}", r)
    for r in rows:
        if r.detection:
            add(f"terms:{r.detection}", r)
    return [GroupScore(method, g, len(v), sum(v)) for g, v in keys.items()]


# --- Markdown ---


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def main_table(report: EvalReport) -> str:
    """The headline table: one row per method (what the README shows)."""
    rows = [[m] + method_cells(report, m, test_name=True) for m in report.methods]
    return "\n".join(_table(["method", "n", "accuracy [95% CI]", "L1", "L2", "acc (MC, unnormalised)",
                             "vs base (McNemar)", "time", "extra memory"], rows))


def _grouped(report: EvalReport, prefix: str) -> list[str]:
    names = [g for g in report.group_names() if g.startswith(prefix)]
    if not names:
        return []
    rows = [[m] + [accuracy_cell(report.group(m, g)) for g in names] for m in report.methods]
    return _table(["method"] + [g.split(":", 1)[1] for g in names], rows)


def _markdown(r: EvalReport) -> str:
    meta = r.meta
    lines = ["# TermLens evaluation", ""]
    for key, label in (("model", "Model"), ("fingerprint", "Fingerprint"), ("device", "Device"),
                       ("adapter", "Adapter"), ("testset", "Test set"), ("n_items", "Items"), ("seed", "Seed"),
                       ("started", "Started"), ("total_s", "Total time (s)")):
        if meta.get(key) not in (None, ""):
            lines.append(f"- {label}: {meta[key]}")
    lines += [
        "",
        "Multiple choice is scored by the log-likelihood of each option after the prompt; an item counts as "
        "right when the option with the highest log-likelihood per character is the key (acc_norm, as in "
        "lm-evaluation-harness); the unnormalised figure is shown too. Free-text answers are generated "
        f"greedily and pass when they cover at least {meta.get('pass_threshold', 0.5):.0%} of the key points. "
        "Intervals are 95% Wilson intervals. McNemar compares each method with base on the same items "
        "(b: base right and method wrong, c: the reverse); exact binomial below "
        "25 discordant pairs, chi-square with continuity correction from there on.",
        "",
    ]
    if r.stopped:
        lines += ["**The run was stopped before the end; figures cover the items scored so far.**", ""]
    lines += ["## Accuracy by method", "", main_table(r), ""]
    issues = [(m, r.summaries[m]) for m in r.methods if m in r.summaries and r.summaries[m].n_free]
    if issues:
        lines += ["Free-text answers with term issues (a deprecated or forbidden term used, or a term of the "
                  "question never named): " + ", ".join(f"{m} {s.with_term_issues}/{s.n_free}" for m, s in issues)
                  + ".", ""]
    for title, prefix, why in (
        ("By subject field", "field:", ""),
        ("Seen and held-out concepts", "split:",
         "Seen: every concept of the item was in the adapter's training data; held-out: none was; "
         "partial: some were. Without an adapter every item with concepts is held-out."),
        ("Injection: terms found and missed by the matcher", "terms:",
         "Found: the matcher detected in the question every concept the item is about; missed: at least one "
         "was not detected, so inject and lora+inject could not add its definition (oracle always does). "
         "Every method is split the same way, so each column compares like with like."),
        ("By language", "lang:", ""),
        ("By item kind", "kind:", "mc: multiple choice; free: free text (key points)."),
    ):
        table = _grouped(r, prefix)
        if table:
            lines += [f"## {title}", ""] + ([why, ""] if why else []) + table + [""]
    if r.forgetting:
        f = r.forgetting
        mc = f["mcnemar"]
        lines += ["## Forgetting check (general knowledge)", "",
                  f"base {f['base']:.3f}, lora {f['lora']:.3f}, delta {f['delta']:+.3f} on {f['n']} items "
                  f"(McNemar b={mc['b']} c={mc['c']}, {p_value(mc['p_value'])}, {mc['test']}).", ""]
    if r.skipped:
        lines += ["## Not run", ""] + [f"- {m}: {why}" for m, why in r.skipped.items()] + [""]
    mem_notes = sorted({s.memory_note for s in r.summaries.values() if s.memory_note})
    if mem_notes or r.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in [*mem_notes, *r.notes]] + [""]
    return "\n".join(lines)


# --- chart ---


def plot(report: EvalReport, path: str | Path) -> Path:
    """Save the chart (see ``png_bytes``) as a plain PNG file."""
    Path(path).write_bytes(png_bytes(report))
    return Path(path)


def png_bytes(report: EvalReport) -> bytes:
    """A grouped bar chart of accuracy (all, L1, L2, each field, seen/held-out) per method, with
    Wilson error bars, as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    groups = ["all"] + [g for g in report.group_names() if g.startswith(("level:", "field:", "split:", "terms:"))]
    methods = report.methods or ["(none)"]
    fig = Figure(figsize=(max(6.0, 1.0 + 0.9 * len(groups) * max(1, len(methods)) / 2.5), 4.2), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    width = 0.8 / max(1, len(methods))
    for i, m in enumerate(methods):
        xs, ys, lo, hi = [], [], [], []
        for j, g in enumerate(groups):
            s = report.group(m, g)
            if s is None or s.n == 0:
                continue
            a, (l, h) = s.accuracy, s.ci
            xs.append(j - 0.4 + width * (i + 0.5))
            ys.append(a)
            lo.append(a - l)
            hi.append(h - a)
        ax.bar(xs, ys, width=width, yerr=[lo, hi], capsize=2, label=m)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([f"terms {g[6:]}" if g.startswith("terms:") else g.split(":", 1)[-1] for g in groups],
                       rotation=30, ha="right")
    ax.set_ylim(0, 1.18)  # room above 1.0 for the legend, clear of the bars
    ax.set_yticks([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("accuracy (95% Wilson interval)")
    ax.set_title(f"TermLens evaluation: {report.meta.get('model', '')}")
    ax.legend(fontsize="small", ncol=min(5, len(methods)), loc="upper center", frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
