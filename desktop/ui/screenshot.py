"""``main.py --screenshot FILE [--lang zh]``: the ordinary main window with a sample
conversation, rendered offscreen at 1280x800 into a PNG.

``desktop.app`` opens a temporary data folder (which, being new, gets the starter
glossaries) and hands its context here; the window is shown and started as always
(``desktop.ui.startup``), the sample question goes through the chat session's own
detection and injection, and the question and a fixed sample answer are stored through
the conversation store. The default model is loaded when it is installed, so the status
bar is real.
"""

from __future__ import annotations

from pathlib import Path

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

def _wait_for_model(window, timeout_ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    w = window.ctx.worker
    w.loaded.connect(loop.quit)
    w.load_failed.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    job = window.startup.backup_job  # a new data folder's first backup: let it end before the picture
    if job is not None:
        job.wait(30)


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

    from desktop.ui.startup import show_window

    window = show_window(ctx, build_matcher=None)
    window.resize(1280, 800)
    if (Path(ctx.model_dir) / "config.json").is_file():
        _wait_for_model(window, model_timeout_ms)
    for _ in range(5):
        QApplication.processEvents()
    add_sample_conversation(window, ctx.settings.language)
    window.status.clearMessage()  # "Backup saved." is not part of the picture
    for _ in range(5):
        QApplication.processEvents()
    window.chat.scroll.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path), "PNG")
    window.close()
    print(f"screenshot {'saved to' if ok else 'NOT saved to'} {path}")
    return 0 if ok else 1
