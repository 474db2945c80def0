"""Interface language: switching to Simplified Chinese changes visible labels at once."""

from __future__ import annotations

from dataclasses import replace

from desktop import config
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
