"""tei_tools.languages: the languages a document uses, declared in its header, and Cyrillic
text marked with a language written in it (warnings, located where the words are)."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, column_of, line_of
from tei_tools import languages, validate


def test_a_language_the_header_does_not_declare_is_a_warning_at_its_first_use(tmp_path):
    text = (FIXTURES / "valid-article.xml").read_text(encoding="utf-8")
    variant = tmp_path / "lang.xml"
    variant.write_text(text.replace("<hi rend=\"italic\">help</hi>", "<hi rend=\"italic\" xml:lang=\"fr\">aide</hi> <hi rend=\"italic\" xml:lang=\"fr\">help</hi>", 1), encoding="utf-8")
    findings = validate.validate_file(variant)
    [warning] = [f for f in findings if "langUsage" in f.message]
    assert warning.severity == "warning" and validate.is_valid(findings)
    assert 'xml:lang="fr" is not declared' in warning.message
    line = line_of(variant, 'xml:lang="fr"')
    assert (warning.line, warning.column) == (line, column_of(variant, line, 'xml:lang="fr"'))


def _with_help_as(tmp_path, replacement: str) -> tuple[Path, list]:
    """The valid article with its italic "help" replaced, and the file's findings."""
    text = (FIXTURES / "valid-article.xml").read_text(encoding="utf-8")
    variant = tmp_path / "cyrillic.xml"
    variant.write_text(text.replace('<hi rend="italic">help</hi>', replacement, 1), encoding="utf-8")
    return variant, validate.validate_file(variant)


def _cyrillic_warnings(findings: list) -> list:
    return [f for f in findings if "Cyrillic text" in f.message]


def test_cyrillic_in_english_prose_is_a_warning_where_it_is_written(tmp_path):
    """Unmarked Russian would be read by a screen reader with an English voice: the warning
    names the words, the language they are in now and where that language is set."""
    variant, findings = _with_help_as(tmp_path, '<hi rend="italic">help</hi> (Красная помощь)')
    [warning] = _cyrillic_warnings(findings)
    assert warning.severity == "warning" and validate.is_valid(findings)
    assert "“Красная помощь”" in warning.message
    assert 'whose language is "en" (xml:lang on <TEI>, line 4)' in warning.message
    assert '<foreign xml:lang="ru">' in warning.message
    line = line_of(variant, "Красная")
    assert (warning.line, warning.column) == (line, column_of(variant, line, "Красная"))


@pytest.mark.parametrize("language", ["ru", "uk", "sr-Cyrl", "ru-Cyrl-RU", " ru "])
def test_cyrillic_in_a_language_written_in_cyrillic_is_no_warning(tmp_path, language):
    _, findings = _with_help_as(tmp_path, f'<hi rend="italic">help</hi> <foreign xml:lang="{language}">помощь</foreign>')
    assert _cyrillic_warnings(findings) == []


@pytest.mark.parametrize(("replacement", "language"), [
    # Russian in Latin letters is no place for Cyrillic
    ('<foreign xml:lang="ru-Latn">pomoshch’ помощь</foreign>', '"ru-Latn" (xml:lang on <foreign'),
    # English inside Russian: its own Cyrillic counts against it, not against the Russian
    ('<foreign xml:lang="ru">помощь <hi xml:lang="en">help помощь</hi></foreign>', '"en" (xml:lang on <hi'),
])
def test_cyrillic_in_a_language_written_otherwise_is_a_warning(tmp_path, replacement, language):
    _, findings = _with_help_as(tmp_path, replacement)
    [warning] = _cyrillic_warnings(findings)
    assert f"whose language is {language}" in warning.message


def test_cyrillic_after_an_element_is_located_in_its_own_line(tmp_path):
    """Text after an element (its tail) belongs to the parent; the warning is where the
    words are, not at the parent's start tag lines above."""
    variant, findings = _with_help_as(tmp_path, '<hi rend="italic">help</hi>\n  <foreign xml:lang="ru">МОПР</foreign>, то есть')
    [warning] = _cyrillic_warnings(findings)
    assert "“то есть”" in warning.message
    line = line_of(variant, "то есть")
    assert (warning.line, warning.column) == (line, column_of(variant, line, "то есть"))


def test_cyrillic_written_as_character_references_is_found_at_its_element(tmp_path):
    variant, findings = _with_help_as(tmp_path, '<hi rend="italic">&#x41C;&#x41E;&#x41F;&#x420;</hi>')
    [warning] = _cyrillic_warnings(findings)
    assert "“МОПР”" in warning.message
    line = line_of(variant, "&#x41C;")
    assert (warning.line, warning.column) == (line, column_of(variant, line, '<hi rend="italic">&#x41C;'))


@pytest.mark.parametrize(("language", "cyrillic"), [
    ("ru", True), ("RU", True), ("be", True), ("ru-Cyrl", True), ("sr-Cyrl-RS", True),
    ("ru-Latn", False), ("sr-Latn", False), ("en", False), ("de", False), ("", False), (None, False),
    ("az-Cyrl", True), ("x-private", False)])
def test_which_languages_are_written_in_cyrillic(language, cyrillic):
    assert languages.written_in_cyrillic(language) is cyrillic
