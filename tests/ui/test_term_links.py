"""A term opens its concept the same way everywhere: the question's and the answer's terms in
the bubbles and the title of a term card are one kind of link, read back by one function."""

from __future__ import annotations

from desktop.ui.render import concept_id_of, concept_link, highlighted_answer, highlighted_question
from desktop.ui.term_panel import TermCard


def test_a_link_shows_its_text_as_text_and_opens_its_concept():
    html = concept_link(42, "Crohn's <disease> & co", title='the "preferred" term')
    assert "<disease>" not in html and "&lt;disease&gt; &amp; co" in html
    assert 'title="the &quot;preferred&quot; term"' in html
    href = html.split('href="', 1)[1].split('"', 1)[0]
    assert concept_id_of(href) == 42
    for other in ("https://example.org", "concept:", "concept:x", "file:///etc/passwd"):
        assert concept_id_of(other) is None


def test_question_answer_and_card_links_open_the_same_concept(qtbot):
    term = {"text": "AF", "start": 0, "end": 2, "concept_id": 7, "preferred": "atrial <fibrillation>",
            "status": "preferred"}
    q = highlighted_question("AF with palpitations", [term])
    a = highlighted_answer("Rate control in AF first.", [term])
    card = TermCard(term, editable=True)
    qtbot.addWidget(card)
    for html in (q, a, card.title.text()):
        assert 'href="concept:7"' in html
    assert "&lt;fibrillation&gt;" in card.title.text()  # the preferred term shown as text, not markup
    opened = []
    card.open_concept.connect(opened.append)
    card.title.linkActivated.emit("concept:7")
    card.title.linkActivated.emit("https://example.org")  # not a concept: nothing opens
    assert opened == [7]


def test_clicking_a_term_in_a_question_bubble_opens_its_concept(qtbot):
    from desktop.ui.chat_view import ChatView

    view = ChatView()
    qtbot.addWidget(view)
    bubble = view.add_question({"role": "user", "content": "AF again",
                                "terms": [{"text": "AF", "start": 0, "end": 2, "concept_id": 7, "preferred": "AF"}]})
    opened = []
    view.concept_clicked.connect(opened.append)
    bubble.body.linkActivated.emit("concept:7")
    bubble.body.linkActivated.emit("https://example.org")
    assert opened == [7]


def test_cards_and_bubbles_keep_the_names_the_style_sheet_styles(qtbot):
    from PySide6.QtCore import Qt

    from desktop.ui.app import RESOURCES
    from desktop.ui.chat_bubble import MessageBubble

    qss = (RESOURCES / "style.qss").read_text(encoding="utf-8")
    card = TermCard({"text": "AF", "concept_id": 7, "preferred": "atrial fibrillation",
                     "definition": "An arrhythmia."}, editable=True)
    bubble = MessageBubble("assistant", {"role": "assistant", "content": "Yes."})
    qtbot.addWidget(card)
    qtbot.addWidget(bubble)
    for name, widget in (("termCard", card), ("termTitle", card.title), ("termMeta", card.matched),
                         ("termDefinition", card.definition), ("assistantBubble", bubble),
                         ("bubbleRole", bubble.who), ("bubbleStats", bubble.stats)):
        assert widget.objectName() == name and f"#{name}" in qss
    assert card.definition.wordWrap() and card.definition.textInteractionFlags() & Qt.TextSelectableByMouse
    assert card.definition.text() == "An arrhythmia."
