"""``main.py --screenshot FILE [--lang zh]``: the main window with a sample conversation,
rendered offscreen at 1280x800 into a PNG.

The sample uses a throwaway in-memory glossary (the starter glossaries, or a few
sample concepts when those are not installed) and throwaway conversations, so a
screenshot never writes to the person's data. The default model is loaded when it
is installed, so the status bar is real; the answer is a fixed sample text.
"""

from __future__ import annotations

from pathlib import Path

from desktop import log

_log = log.get("ui")

QUESTION = {
    "en": "What does CKD-EPI estimate for a patient with AF?",
    "zh_CN": "对于房颤患者，CKD-EPI 估算的是什么？",
}

ANSWER = {
    "en": (
        "**CKD-EPI estimates the glomerular filtration rate (eGFR)** from serum creatinine, age and sex; "
        "it does not measure it directly.\n\n"
        "For a patient with **atrial fibrillation (AF)** this matters because:\n\n"
        "1. Direct oral anticoagulants are dosed by kidney function, so the eGFR (or the Cockcroft-Gault "
        "creatinine clearance named in the drug label) decides the dose.\n"
        "2. Kidney function changes over time: recheck it at least yearly, more often when eGFR < 60.\n\n"
        "*Sample conversation shown for this screenshot.*"
    ),
    "zh_CN": (
        "**CKD-EPI 公式估算的是肾小球滤过率（eGFR）**，依据血清肌酐、年龄和性别，并非直接测量。\n\n"
        "对于**心房颤动**（房颤）患者，这一点很重要：\n\n"
        "1. 直接口服抗凝药需按肾功能调整剂量，eGFR（或说明书所用的 Cockcroft-Gault 肌酐清除率）决定剂量。\n"
        "2. 肾功能会随时间变化：至少每年复查一次，eGFR < 60 时应更频繁。\n\n"
        "*此为截图所用的示例对话。*"
    ),
}

_SAMPLES = [
    {"terms": [("CKD-EPI", "en", "abbreviation"), ("CKD-EPI equation", "en", "preferred"),
               ("CKD-EPI 公式", "zh", "preferred")],
     "fields": ["medicine", "nephrology"],
     "definitions": {"en": "An equation that estimates the glomerular filtration rate (eGFR) from serum "
                           "creatinine, age and sex.",
                     "zh": "根据血清肌酐、年龄和性别估算肾小球滤过率（eGFR）的公式。"},
     "source": "KDIGO 2024 guideline"},
    {"terms": [("atrial fibrillation", "en", "preferred"), ("AF", "en", "abbreviation"),
               ("心房颤动", "zh", "preferred"), ("房颤", "zh", "synonym")],
     "fields": ["medicine", "cardiology"],
     "definitions": {"en": "An irregular, often rapid heart rhythm arising in the atria; it raises the risk "
                           "of stroke.",
                     "zh": "起源于心房的不规则、常为快速的心律，增加卒中风险。"},
     "source": "ESC 2024 AF guideline"},
    {"terms": [("estimated glomerular filtration rate", "en", "preferred"), ("eGFR", "en", "abbreviation"),
               ("估算肾小球滤过率", "zh", "preferred")],
     "fields": ["medicine", "nephrology"],
     "definitions": {"en": "Kidney function estimated from a blood test, in mL/min/1.73 m².",
                     "zh": "根据血液检查估算的肾功能，单位 mL/min/1.73 m²。"},
     "source": "KDIGO 2024 guideline"},
]


def seed_sample_glossary(store) -> int:
    """Fill an (empty, in-memory) store: the starter glossaries, else the sample concepts above."""
    try:
        from glossary.importer import load_starter

        n = load_starter(store)
        if n:
            return n
    except Exception as exc:  # noqa: BLE001 - the sample concepts still make a screenshot
        _log.info("starter glossaries not available for the sample (%s)", type(exc).__name__)
    from glossary.model import Concept, Status, Term

    for s in _SAMPLES:
        store.add_concept(Concept(terms=[Term(text=t, lang=lang, type=typ, case_sensitive=(t == "AF"))
                                         for t, lang, typ in s["terms"]],
                                  subject_fields=s["fields"], definitions=s["definitions"], source=s["source"],
                                  status=Status.APPROVED))
    return len(_SAMPLES)


def _wait_for_model(window, timeout_ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    w = window.ctx.worker
    w.loaded.connect(loop.quit)
    w.load_failed.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def add_sample_conversation(window, lang: str) -> int:
    """The sample question and answer, stored and shown like a real one."""
    session, conv = window.session, window.ctx.conversations
    lang = "zh_CN" if lang.startswith("zh") else "en"
    question = QUESTION[lang]
    turn = session.prepare(question, history=[])
    terms = session.terms_of(turn)
    cid = conv.create(question)
    conv.add_message(cid, "user", question, terms=terms)
    conv.add_message(cid, "assistant", ANSWER[lang], prompt=turn.system, stats={})
    other = conv.create("Force majeure clause in a supply contract" if lang == "en" else "供货合同中的不可抗力条款")
    conv.add_message(other, "user", "Does force majeure cover a supplier's strike?")
    session.open(cid)
    window.conversations.set_current(cid)
    window.terms.show_terms(terms, editable=True)
    return cid


def render_screenshot(ctx, path: Path, *, model_timeout_ms: int = 90_000) -> int:
    from PySide6.QtWidgets import QApplication

    from desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.show()
    if (Path(ctx.model_dir) / "config.json").is_file():
        window.load_model(ctx.model_dir)
        _wait_for_model(window, model_timeout_ms)
    add_sample_conversation(window, ctx.settings.language)
    for _ in range(5):
        QApplication.processEvents()
    window.chat.scroll.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path), "PNG")
    window.close()
    print(f"screenshot {'saved to' if ok else 'NOT saved to'} {path}")
    return 0 if ok else 1
