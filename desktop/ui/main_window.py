"""The main window: composes the panels and wires their signals. Nothing else.

Pages: Chat (conversation list | chat view | term panel), Glossary, Adapters,
Training data, Training, Evaluation. Model manager and Settings are dialogs; ``lock``
hides the conversations after idle minutes (``desktop.ui.lock``). The work
behind a panel lives in its own module (``chat_session``, ``glossary_actions``, the
pages); the window only connects them. GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget, QWidget

from desktop import log
from desktop.ui import glossary_actions
from desktop.ui.adapters_page import AdaptersPage
from desktop.ui.chat_session import ChatSession
from desktop.ui.chat_view import ChatView
from desktop.ui.context import AppContext
from desktop.ui.conversation_list import ConversationList
from desktop.ui.evaluation_page import EvaluationPage
from desktop.ui.glossary_editor import GlossaryEditor
from desktop.ui.i18n import Retranslating
from desktop.ui.lock import AutoLock
from desktop.ui.prompt_dialog import PromptDialog
from desktop.ui.review_page import ReviewPage
from desktop.ui.server_form import saved_server
from desktop.ui.status_bar import StatusBar
from desktop.ui.term_panel import TermPanel
from desktop.ui.training_page import TrainingPage

_log = log.get("ui")


class MainWindow(Retranslating, QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.resize(1280, 800)
        self.session = ChatSession(ctx, self)

        # -- panels --
        self.conversations = ConversationList(ctx.conversations)
        self.chat = ChatView()
        self.chat.set_font_size(ctx.settings.font_size)
        self.terms = TermPanel()
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("chatSplitter")
        for w in (self.conversations, self.chat, self.terms):
            self.splitter.addWidget(w)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 700, 340])
        self.splitter.setChildrenCollapsible(False)
        self.glossary = GlossaryEditor(ctx)
        self.adapters = AdaptersPage(ctx)
        self.review = ReviewPage(ctx)
        self.training = TrainingPage(ctx)
        self.evaluation = EvaluationPage(ctx)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for page in (self.splitter, self.glossary, self.adapters, self.review, self.training, self.evaluation):
            self.tabs.addTab(page, "")
        self.setCentralWidget(self.tabs)
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self._build_menus()
        self._wire()
        self.lock = AutoLock(self, minutes=ctx.settings.lock_minutes, passphrase_set=ctx.passphrase_set,
                             verify=ctx.check_passphrase)
        self.retranslate()

    # ---- composition -------------------------------------------------------------------
    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.file_menu = mb.addMenu("")
        self.new_action = QAction(self, shortcut=QKeySequence.New, triggered=self.session.new)
        self.export_action = QAction(self, triggered=self.conversations.export_current)
        self.quit_action = QAction(self, shortcut=QKeySequence.Quit, triggered=self.close)
        for a in (self.new_action, self.export_action):
            self.file_menu.addAction(a)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.model_menu = mb.addMenu("")
        self.models_action = QAction(self, triggered=self.open_model_manager)
        self.model_menu.addAction(self.models_action)
        self.glossary_menu = mb.addMenu("")
        self.import_action = QAction(self, triggered=self.glossary.import_file)
        self.gexport_action = QAction(self, triggered=self.glossary.export_file)
        self.starter_action = QAction(self, triggered=self.glossary.load_starters)
        self.icd_action = QAction(self, triggered=self.glossary.load_icd)
        for a in (self.import_action, self.gexport_action, self.starter_action, self.icd_action):
            self.glossary_menu.addAction(a)
        self.settings_menu = mb.addMenu("")
        self.settings_action = QAction(self, shortcut=QKeySequence.Preferences, triggered=self.open_settings)
        self.settings_menu.addAction(self.settings_action)
        self.esc = QShortcut(QKeySequence(Qt.Key_Escape), self, activated=self.on_escape)
        self.find = QShortcut(QKeySequence.Find, self, activated=self.on_find)

    def _wire(self) -> None:
        s, chat, terms, w, st = self.session, self.chat, self.terms, self.ctx.worker, self.status
        chat.send_requested.connect(s.ask)
        chat.edit_resend_requested.connect(lambda text: s.resend_last(question=text))
        chat.regenerate_requested.connect(lambda: s.resend_last(regenerate=True))
        chat.continue_requested.connect(lambda: s.continue_last())
        chat.stop_requested.connect(s.stop)
        chat.draft_changed.connect(s.prefill)
        chat.show_prompt_requested.connect(self.show_prompt)
        chat.add_to_glossary_requested.connect(self.add_to_glossary)
        chat.concept_clicked.connect(self.edit_concept)
        chat.question_selected.connect(self._show_question_terms)
        terms.open_concept.connect(self.edit_concept)
        terms.resend_requested.connect(lambda ex, ch: s.resend_last(excluded=ex, choices=ch))
        terms.reask_requested.connect(s.reask_preferred)
        s.answer_checked.connect(terms.show_answer_check)
        s.messages_reset.connect(chat.set_messages)
        s.question_added.connect(chat.add_question)
        s.terms_shown.connect(lambda t, editable: terms.show_terms(t, editable=editable))
        s.answer_started.connect(chat.begin_answer)
        s.answer_resumed.connect(chat.resume_answer)
        s.answer_delta.connect(chat.append_delta)
        s.prompt_ready.connect(chat.set_prompt)
        s.answer_finished.connect(chat.finish_answer)
        s.answer_finished.connect(lambda m: st.on_stats(m.get("stats") or {}))
        s.answer_failed.connect(chat.fail_answer)
        s.generating_changed.connect(chat.set_busy)
        s.conversation_changed.connect(self.conversations.set_current)
        s.conversations_changed.connect(self.conversations.refresh)
        self.conversations.open_requested.connect(s.open)
        self.conversations.new_requested.connect(s.new)
        w.loading.connect(st.on_loading)
        w.loaded.connect(st.on_loaded)
        w.loaded.connect(self._model_in_use)
        w.load_failed.connect(st.on_load_failed)
        w.load_failed.connect(chat.show_error)
        w.unloaded.connect(st.on_unloaded)
        self.glossary.glossary_replaced.connect(self.ctx.reload_matcher)
        self.review.changed.connect(self.training.refresh_data)  # the count of accepted pairs

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("TermLens"))
        for i, name in enumerate((self.tr("Chat"), self.tr("Glossary"), self.tr("Adapters"),
                                  self.tr("Training data"), self.tr("Training"), self.tr("Evaluation"))):
            self.tabs.setTabText(i, name)
        self.tabs.setAccessibleName(self.tr("Pages"))
        self.file_menu.setTitle(self.tr("&File"))
        self.new_action.setText(self.tr("&New chat"))
        self.export_action.setText(self.tr("&Export conversation as Markdown…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.model_menu.setTitle(self.tr("&Model"))
        self.models_action.setText(self.tr("&Model manager…"))
        self.glossary_menu.setTitle(self.tr("&Glossary"))
        self.import_action.setText(self.tr("&Import glossary…"))
        self.gexport_action.setText(self.tr("&Export glossary…"))
        self.starter_action.setText(self.tr("Load &starter glossaries"))
        self.icd_action.setText(self.tr("Load &ICD-10-CM"))
        self.settings_menu.setTitle(self.tr("&Settings"))
        self.settings_action.setText(self.tr("&Preferences…"))

    # ---- start and stop ----------------------------------------------------------------
    def start(self) -> None:
        """Open the latest conversation and load the model behind the progress bar."""
        convs = self.ctx.conversations.list()
        self.session.open(convs[0]["id"] if convs else 0)
        self._check_font()
        server = saved_server(self.ctx)  # None unless Use this server was chosen: then nothing connects
        if server is not None:
            self.status.on_loading(0.0, self.tr("Connecting to the model server…"))
            self.ctx.worker.request_connect(server)
            return
        self.load_model(self.ctx.model_dir)  # a model problem, shown in the same place, matters more

    def _check_font(self) -> None:
        from desktop.ui import i18n

        sentence = i18n.missing_font_sentence(self.ctx.settings.language)
        if sentence:
            self.chat.show_error(sentence)

    def _model_in_use(self, info: dict) -> None:
        if info.get("engine") != "server":  # no tokenizer of a server's model here: budgets keep the last count
            self.ctx.set_model_dir(info.get("path", self.ctx.model_dir))
        # the system prompt (and the question typed so far) decoded now, not when Send is pressed
        self.session.prefill(self.chat.input.toPlainText())

    def load_model(self, path: str) -> None:
        if not (Path(path) / "config.json").is_file():
            self.chat.show_error(self.tr("No model found at {path}. Install the default model "
                                         "(python main.py models fetch-default) or choose one in "
                                         "Model ▸ Model manager.").format(path=path))
            return
        self.status.on_loading(0.0, self.tr("Loading the model…"))
        self.ctx.worker.request_load(path, weights=self.ctx.settings.weights)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        # The window leaves the screen first: stopping the model thread or a background task
        # can take seconds (a model load cannot be interrupted), and a window that stays up
        # without answering looks like a crash.
        self.hide()
        QGuiApplication.sync()  # now, not when the event loop next runs
        self.session.stop()
        self.lock.shutdown()
        for page in (self.glossary, self.adapters, self.review, self.training, self.evaluation):
            page.shutdown()
        self.ctx.close()  # stops the model thread before the widgets go
        super().closeEvent(event)

    # ---- actions (each delegates) --------------------------------------------------------
    def on_escape(self) -> None:
        if self.session.generating:
            self.session.stop()
        elif self.chat.editing:
            self.chat.cancel_edit()
            self.chat.input.clear()

    def on_find(self) -> None:
        page = self.tabs.currentWidget()
        if page is self.glossary:
            self.glossary.search.setFocus()
        else:
            self.tabs.setCurrentWidget(self.splitter)
            self.conversations.search.setFocus()

    def show_prompt(self, prompt: str) -> None:
        PromptDialog(prompt, self).exec()

    def edit_concept(self, concept_id: int) -> None:
        if glossary_actions.edit_concept(parent=self, store=self.ctx.store, concept_id=concept_id):
            self.glossary.refresh()

    def add_to_glossary(self, text: str) -> None:
        if glossary_actions.add_concept(parent=self, store=self.ctx.store, text=text):
            self.glossary.refresh()

    def _show_question_terms(self, message: dict) -> None:
        last = next((m for m in reversed(self.session.messages) if m["role"] == "user"), None)
        editable = last is not None and last.get("id") == message.get("id") and not self.session.generating
        self.terms.show_terms(list(message.get("terms") or []), editable=editable)

    def open_model_manager(self) -> None:
        from desktop.ui.model_manager import ModelManagerDialog

        ModelManagerDialog(self.ctx, self).exec()

    def open_settings(self) -> None:
        from desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx.settings, fields=self.ctx.store.subject_fields(), parent=self)
        if dialog.exec():
            self.apply_settings(dialog.settings())

    def apply_settings(self, settings) -> None:
        from desktop.ui import i18n

        old = self.ctx.settings
        self.ctx.settings = settings
        self.ctx.save_settings()
        if self.ctx.matcher is not None:  # None while the index is built; it reads the settings then
            self.ctx.matcher.active_fields = set(settings.active_fields)
        self.chat.set_font_size(settings.font_size)
        self.lock.set_minutes(settings.lock_minutes)
        if settings.language != old.language:
            i18n.set_language(settings.language)
            self._check_font()
