"""Error sentences made from a template can be shown in the interface's language, and never
lose the English sentence (``args[0]`` keeps it)."""

from __future__ import annotations

import pytest

from glossary.errors import GlossaryImportError, TermLensError, set_translator


@pytest.fixture(autouse=True)
def no_translator():
    set_translator(None)
    yield
    set_translator(None)


def test_a_template_error_reads_in_english_without_a_translator():
    err = TermLensError.of("{name} has no weights ({n:,} files).", name="m", n=1200)
    assert str(err) == "m has no weights (1,200 files)." == err.args[0]
    assert err.template == "{name} has no weights ({n:,} files)." and err.params == {"name": "m", "n": 1200}


def test_a_translator_changes_what_str_gives_and_keeps_the_english_in_args():
    set_translator({"{name} has no weights.": "{name} 中没有权重文件。"}.get)
    err = TermLensError.of("{name} has no weights.", name="m")
    assert str(err) == "m 中没有权重文件。"
    assert err.args[0] == "m has no weights."
    assert str(TermLensError("plain sentence")) == "plain sentence"  # not made from a template: as written


def test_a_broken_translation_falls_back_to_english_instead_of_hiding_the_error():
    set_translator(lambda template: "{missing} 坏了")
    assert str(TermLensError.of("{name} broke.", name="m")) == "m broke."
    set_translator(lambda template: 1 / 0)
    assert str(TermLensError.of("{name} broke.", name="m")) == "m broke."


def test_subclasses_with_their_own_arguments_still_take_a_template():
    err = GlossaryImportError.of("{file} is empty.", file="a.csv")
    assert isinstance(err, GlossaryImportError) and err.report == [] and str(err) == "a.csv is empty."


def test_words_put_into_a_sentence_with_phrase_are_translated_with_it():
    from glossary.errors import phrase

    zh = {"The disk is full; {what} was not saved.": "磁盘已满；{what}未保存。", "Your conversation": "您的对话"}
    err = TermLensError.of("The disk is full; {what} was not saved.", what=phrase("Your conversation"))
    assert str(err) == "The disk is full; Your conversation was not saved."
    set_translator(zh.get)
    assert str(err) == "磁盘已满；您的对话未保存。"
    plain = TermLensError.of("The disk is full; {what} was not saved.", what="notes.db")  # a file name stays
    assert str(plain) == "磁盘已满；notes.db未保存。"


def test_a_progress_phrase_with_values_is_translated_and_keeps_its_number_format():
    from glossary.errors import phrase, translated

    p = phrase("Loading {n:,.0f}M parameters onto {device}", n=7615.6, device="cuda")
    assert p == "Loading 7,616M parameters onto cuda" and translated(p) == p
    set_translator({"Loading {n:,.0f}M parameters onto {device}": "正在将 {n:,.0f}M 个参数加载到 {device}"}.get)
    assert translated(p) == "正在将 7,616M 个参数加载到 cuda"
    assert translated("plain text") == "plain text"  # not a phrase: as it is
