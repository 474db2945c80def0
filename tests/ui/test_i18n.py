"""Interface language: switching to Simplified Chinese changes visible labels at once."""

from __future__ import annotations

from dataclasses import replace

from desktop.storage import config
from desktop.ui import i18n
from tests.ui.fakes import FakeWorker


def test_switching_to_chinese_changes_labels_and_back(open_window, qtbot):
    win = open_window(worker=FakeWorker())
    assert win.chat.send_btn.text() == "Send"
    assert i18n.TRANSLATIONS.joinpath("termlens_zh_CN.qm").is_file()
    try:
        win.apply_settings(replace(win.ctx.settings, language="zh_CN"))
        qtbot.waitUntil(lambda: win.chat.send_btn.text() == "发送", timeout=2_000)
        assert win.tabs.tabText(1) == "术语表"
        assert win.terms.heading.text() == "本问题中的术语"
        assert win.glossary.count.text().startswith("术语表中共")  # texts with a number change too
        assert config.load().language == "zh_CN"
        win.apply_settings(replace(win.ctx.settings, language="en"))
        qtbot.waitUntil(lambda: win.chat.send_btn.text() == "Send", timeout=2_000)
        assert win.tabs.tabText(1) == "Glossary"
    finally:
        i18n.set_language("en")


def test_every_visible_string_of_the_chat_page_has_a_translation():
    import xml.etree.ElementTree as ET

    root = ET.parse(i18n.TRANSLATIONS / "termlens_zh_CN.ts").getroot()
    missing = [m.findtext("source") for m in root.iter("message")
               if not (m.findtext("translation") or "").strip()
               and (m.find("translation") is None or m.find("translation").get("type") != "obsolete")]
    assert missing == []


def test_chinese_without_a_chinese_font_says_how_to_get_one(open_window, qtbot, monkeypatch):
    from PySide6.QtGui import QFontDatabase

    win = open_window(worker=FakeWorker())
    fonts: list[str] = []
    monkeypatch.setattr(QFontDatabase, "families", staticmethod(lambda *_a: list(fonts)))
    try:
        win.apply_settings(replace(win.ctx.settings, language="zh_CN"))
        assert win.chat.banner.isVisible()
        assert "No Chinese font is installed" in win.chat.banner.text()
        assert "fonts-noto-cjk" in win.chat.banner.text()
        win.chat.hide_error()
        fonts.append("Noto Sans CJK SC")
        win.apply_settings(replace(win.ctx.settings, language="en"))
        win.apply_settings(replace(win.ctx.settings, language="zh_CN"))
        assert not win.chat.banner.isVisible()  # a font is there: nothing to say
    finally:
        i18n.set_language("en")
    assert i18n.missing_font_sentence("en") is None


def test_error_sentences_from_the_model_thread_arrive_in_the_interfaces_language(qtbot, tmp_path):
    from desktop.workers.model_worker import ModelThread

    folder = tmp_path / "not-a-model"
    folder.mkdir()
    mt = ModelThread()
    try:
        i18n.set_language("zh_CN")
        with qtbot.waitSignal(mt.worker.load_failed, timeout=120_000) as blocker:
            mt.worker.request_load(str(folder))
        assert blocker.args[0] == "not-a-model 中没有 config.json，因此不是模型文件夹。"
        i18n.set_language("en")
        with qtbot.waitSignal(mt.worker.load_failed, timeout=60_000) as blocker:
            mt.worker.request_load(str(folder))
        assert blocker.args[0] == "not-a-model has no config.json, so it is not a model folder."
    finally:
        i18n.set_language("en")
        mt.shutdown()


def test_every_error_template_in_the_code_is_in_the_translation_file():
    """A sentence added with ``SomeError.of`` must reach the .ts (run resources/translations/update.py)."""
    import importlib.util
    import xml.etree.ElementTree as ET

    spec = importlib.util.spec_from_file_location("ts_update", i18n.TRANSLATIONS / "update.py")
    update = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(update)
    in_code = {t for top in update.ERROR_SOURCES for p in top.rglob("*.py") if update.SOURCES not in p.parents
               for _line, t in update.error_templates(p)}
    root = ET.parse(i18n.TRANSLATIONS / "termlens_zh_CN.ts").getroot()
    in_ts = {m.findtext("source") for c in root.iter("context") if c.findtext("name") == i18n.ENGINE_CONTEXT
             for m in c.iter("message")}
    assert len(in_code) >= 40
    assert in_code - in_ts == set()


def test_a_storage_error_names_what_was_not_saved_in_chinese_too():
    from desktop.storage.db import as_storage_error

    try:
        i18n.set_language("zh_CN")
        err = as_storage_error(OSError("database or disk is full"))
        assert str(err) == "磁盘已满；您的更改未保存，没有任何更改。请释放一些空间后重试。"
    finally:
        i18n.set_language("en")
    assert str(err) == "The disk is full; Your change was not saved and nothing was changed. Free some space and try again."


def test_load_progress_from_the_model_thread_reads_in_chinese(qtbot, tiny_model_dir):
    from desktop.workers.model_worker import ModelThread

    mt = ModelThread()
    seen: list[str] = []
    mt.worker.loading.connect(lambda _f, what: seen.append(what))
    try:
        i18n.set_language("zh_CN")
        with qtbot.waitSignal(mt.worker.loaded, timeout=120_000):
            mt.worker.request_load(str(tiny_model_dir))
        qtbot.waitUntil(lambda: "模型已就绪" in seen, timeout=5_000)
        assert "正在检查模型文件夹" in seen and "正在加载分词器" in seen
        assert any(s.startswith("正在将 ") and s.endswith("个参数加载到 cpu") for s in seen), seen
    finally:
        i18n.set_language("en")
        mt.shutdown()
