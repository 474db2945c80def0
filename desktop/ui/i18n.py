"""Interface language: English (the source strings) or Simplified Chinese.

Widgets write their strings with ``self.tr(...)`` and set them in ``retranslate()``,
which ``Retranslating`` calls again on ``QEvent.LanguageChange``; ``set_language`` installs the
compiled ``resources/translations/termlens_zh_CN.qm`` (made from the ``.ts`` file
with ``pyside6-lrelease``) plus Qt's own ``qtbase`` translation for standard
buttons, and Qt tells every widget. The translators hang off the application
object, not module globals.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFontDatabase

from desktop import errors, log

_log = log.get("ui")

TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
ENGINE_CONTEXT = "Engine"  # where resources/translations/update.py puts the engine's sentences and phrases


class Retranslating:
    """Mixin for a widget with a ``retranslate()`` method: it runs again whenever the
    interface language changes. List it before the Qt class: ``class Page(Retranslating, QWidget)``."""

    def retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def normalize(lang: str | None) -> str:
    """'zh', 'zh_CN', 'zh-CN' -> 'zh_CN'; anything else -> 'en'."""
    if lang and lang.replace("-", "_").lower().startswith("zh"):
        return "zh_CN"
    return "en"


def set_language(lang: str | None, app: QCoreApplication | None = None) -> bool:
    """Switch the interface language; True when the translation was found (English always is)."""
    app = app or QCoreApplication.instance()
    lang = normalize(lang)
    for t in getattr(app, "_termlens_translators", []):
        app.removeTranslator(t)
    app._termlens_translators = []
    if lang == "en":
        errors.set_translator(None)
        QLocale.setDefault(QLocale(QLocale.English, QLocale.UnitedStates))
        return True
    # sentences from the engine and the glossary (``SomeError.of``, ``phrase``), in any thread:
    # translate() is thread-safe, so the model thread's sentences arrive translated too
    errors.set_translator(lambda template: QCoreApplication.translate(ENGINE_CONTEXT, template))
    ok = False
    ours = QTranslator(app)
    if ours.load(str(TRANSLATIONS / f"termlens_{lang}.qm")):
        app.installTranslator(ours)
        app._termlens_translators.append(ours)
        ok = True
    else:
        _log.warning("translation %s not found", lang)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)) or \
            qt.load(f"qt_{lang}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
        app.installTranslator(qt)
        app._termlens_translators.append(qt)
    QLocale.setDefault(QLocale(lang))
    return ok


def missing_font_sentence(lang: str | None) -> str | None:
    """A sentence when ``lang`` needs a font this system lacks (Chinese without a CJK font), else None.

    Deliberately in English: without the font, a Chinese sentence would show as boxes too.
    """
    if normalize(lang) != "zh_CN":
        return None
    if QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        return None
    return ("No Chinese font is installed, so Chinese text shows as empty boxes. Install one, for example "
            "the fonts-noto-cjk package (Debian, Ubuntu) or google-noto-sans-cjk-fonts (Fedora), "
            "then restart TermLens.")
