"""One source, no drift: every English sentence the course translates has a reviewed Swedish
translation, and every Swedish notebook is its English notebook with the Markdown translated
and the code unchanged (tools/translate.py; docs/translating.md)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from babel.messages.catalog import Catalog

from tools import translate

ROOT = translate.ROOT


# --------------------------------------------------------------------------- the real course

def test_every_message_of_the_kit_has_a_reviewed_swedish_translation():
    assert translate.message_problems("sv") == []


def test_every_swedish_notebook_is_its_english_one_translated():
    assert translate.translated_notebooks("sv"), "no notebook is being translated"
    assert translate.notebook_problems("sv") == []


def test_both_readmes_list_every_swedish_notebook():
    swedish = sorted(p.relative_to(ROOT).as_posix()
                     for folder in ("notebooks", "solutions", "exercises")
                     for p in (ROOT / folder / "sv").glob("*.ipynb"))
    assert swedish
    for readme in ("README.md", "README.sv.md"):
        links = set(re.findall(r"\]\(([^)]+\.ipynb)\)", (ROOT / readme).read_text("utf-8")))
        assert [p for p in swedish if p not in links] == [], readme


# --------------------------------------------------------------------------- a small course

@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course of one lesson and one solution, translated into Swedish and built."""
    monkeypatch.setattr(translate, "ROOT", tmp_path)
    monkeypatch.setattr(translate, "LOCALE", tmp_path / "locale")
    lesson = tmp_path / "notebooks" / "01_demo.ipynb"
    solution = tmp_path / "solutions" / "01_demo.ipynb"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 01 · Demo\n\nEach site trains alone.\n\n"
                                      "[Next](02_next.ipynb) · [guide](../docs/guide.md)"),
        nbformat.v4.new_code_cell("x = 1\nx"),
    ])
    for path in (lesson, solution):
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    answer = nbformat.v4.new_code_cell("y = 1  # start\n### BEGIN SOLUTION\ny = 2\n"
                                       "### END SOLUTION")
    nb_solution = nbformat.read(solution, as_version=4)
    nb_solution.cells.append(answer)
    nbformat.write(nb_solution, solution)
    swedish = {"# 01 · Demo": "# 01 · Demo på svenska",
               "Each site trains alone.": "Varje sjukhus tränar på egen hand.",
               "[Next](02_next.ipynb) · [guide](../docs/guide.md)":
                   "[Nästa](02_next.ipynb) · [guide](../docs/guide.md)"}
    for english in (lesson, solution):
        po = translate.notebook_catalogue(english, "sv")
        catalogue = translate.updated(po, translate.notebook_template(english), "sv")
        for message in catalogue:
            if message.id:
                message.string = swedish[message.id]
        translate.write_catalogue(po, catalogue)
    built = list(translate.build("sv", run=False))
    assert [p.relative_to(tmp_path).as_posix() for p in built] == [
        "notebooks/sv/01_demo.ipynb", "solutions/sv/01_demo.ipynb", "exercises/sv/01_demo.ipynb"]
    assert translate.notebook_problems("sv") == []
    return tmp_path


def _edit(path: Path, index: int, source: str) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.cells[index].source = source
    nbformat.write(nb, path)


def test_the_swedish_notebook_has_the_translation_and_the_same_code(course):
    english = nbformat.read(course / "notebooks/01_demo.ipynb", as_version=4)
    swedish = nbformat.read(course / "notebooks/sv/01_demo.ipynb", as_version=4)
    assert swedish.cells[0].source == ("# 01 · Demo på svenska\n\nVarje sjukhus tränar på egen "
                                       "hand.\n\n[Nästa](../02_next.ipynb) · "
                                       "[guide](../../docs/guide.md)")
    assert swedish.cells[1].source == english.cells[1].source
    exercise = nbformat.read(course / "exercises/sv/01_demo.ipynb", as_version=4)
    assert "raise NotImplementedError()" in exercise.cells[2].source


def test_a_changed_english_block_fails_until_its_translation_is_reviewed(course):
    lesson = course / "notebooks/01_demo.ipynb"
    po = translate.notebook_catalogue(lesson, "sv")
    _edit(lesson, 0, "# 01 · Demo\n\nEach site trains its model alone.\n\n"
                     "[Next](02_next.ipynb) · [guide](../docs/guide.md)")
    assert any("'Each site trains its model alone.': no entry" in p or
               "no entry for 'Each site trains its model alone.'" in p
               for p in translate.notebook_problems("sv"))
    translate.write_catalogue(po, translate.updated(po, translate.notebook_template(lesson), "sv"))
    text = po.read_text(encoding="utf-8")
    assert '#, fuzzy\n#| msgid "Each site trains alone."\nmsgid "Each site trains its model ' \
           'alone."\nmsgstr "Varje sjukhus tränar på egen hand."' in text  # the old kept
    problems = translate.notebook_problems("sv")
    assert any("changed in English since its translation was reviewed" in p for p in problems)
    with pytest.raises(translate.TranslationError, match="without a reviewed sv translation"):
        translate.translate_notebook(lesson, "sv")
    po.write_text(text.replace('#, fuzzy\n#| msgid "Each site trains alone."\n', "")
                  .replace('"Varje sjukhus tränar på egen hand."',
                           '"Varje sjukhus tränar sin modell på egen hand."'), encoding="utf-8")
    assert any("Markdown is not the current translation" in p
               for p in translate.notebook_problems("sv"))
    list(translate.build("sv", [lesson], run=False))
    assert translate.notebook_problems("sv") == []


def test_swedish_code_that_differs_from_the_english_fails(course):
    _edit(course / "notebooks/sv/01_demo.ipynb", 1, "x = 2\nx")
    assert translate.notebook_problems("sv") == [
        "notebooks/sv/01_demo.ipynb cell-01: code differs from the English (run `python -m "
        "tools.translate build`)"]


def test_hand_edited_swedish_text_and_stray_notebooks_fail(course):
    _edit(course / "notebooks/sv/01_demo.ipynb", 0, "# 01 · Något annat")
    nbformat.write(nbformat.v4.new_notebook(), course / "notebooks/sv/02_stray.ipynb")
    _edit(course / "exercises/sv/01_demo.ipynb", 2, "y = 2")
    problems = translate.notebook_problems("sv")
    assert any("01_demo.ipynb cell-00: Markdown is not the current translation" in p
               for p in problems)
    assert "notebooks/sv/02_stray.ipynb has no catalogue: it is not built from an English " \
           "notebook" in problems
    assert "exercises/sv/01_demo.ipynb differs from what solutions/sv/01_demo.ipynb " \
           "generates" in problems


# --------------------------------------------------------------------------- the messages

def _package(tmp_path: Path, source: str) -> Path:
    package = tmp_path / "pkg"
    package.mkdir(exist_ok=True)
    (package / "module.py").write_text("from fedlearn_kit.i18n import _, ngettext\n" + source,
                                       encoding="utf-8")
    return package


def test_a_changed_or_badly_translated_message_fails(tmp_path):
    template = translate.message_template(_package(tmp_path, (
        'print(_("Wrote {path}."))\n'
        'print(ngettext("{n} answer saved", "{n} answers saved", 2))\n')))
    catalogue = Catalog(locale="sv")
    catalogue.add("Wrote {file}.", "Skrev {file}.")
    catalogue.add(("{n} answer saved", "{n} answers saved"), ("{n} svar sparat", ""))
    problems = translate.catalogue_problems(template, catalogue, "sv.po")
    assert problems == [
        "sv.po: no entry for 'Wrote {path}.' (new English text: run `python -m tools.translate "
        "update`, then translate it)",
        "sv.po: '{n} answer saved' has no translation"]
    catalogue.add("Wrote {path}.", "Skrev filen.")
    catalogue.get("{n} answer saved").string = ("{n} svar sparat", "{n} sparade")
    assert translate.catalogue_problems(template, catalogue, "sv.po") == [
        "sv.po: the translation of 'Wrote {path}.' has the placeholders [], the English "
        "['path']"]


@pytest.mark.parametrize("source, found", [
    ('name = "x"\nprint(_(f"Hello {name}"))\n', "needs a whole sentence as a plain string"),
    ('print(_("Hello " + "you"))\n', "needs a whole sentence as a plain string"),
    ('print(_("Hello") + " you")\n', "joined to other text with +"),
    ('for _ in range(2):\n    pass\n', "`_` is the translation function here"),
    ('print(ngettext("one", 2, 3))\n', "needs a whole sentence as a plain string"),
])
def test_messages_the_catalogue_cannot_hold_are_found(tmp_path, source, found):
    problems = translate.unextractable_messages(_package(tmp_path, source))
    assert len(problems) == 1 and found in problems[0]


def test_marked_text_translated_where_it_is_shown_is_allowed(tmp_path):
    package = _package(tmp_path, 'from fedlearn_kit.i18n import N_\nLABEL = N_("Sources")\n'
                                 'print(_(LABEL))\n')
    assert translate.unextractable_messages(package) == []
    assert [m.id for m in translate.message_template(package) if m.id] == ["Sources"]


# --------------------------------------------------------------------------- the parts

def test_markdown_blocks_keep_a_fenced_block_whole():
    text = "# Title\nIntro.\n\n- one\n- two\n\n```python\na = 1\n\nb = 2\n```\n\n\nEnd."
    assert translate.markdown_blocks(text) == [
        "# Title\nIntro.", "- one\n- two", "```python\na = 1\n\nb = 2\n```", "End."]


def test_links_move_to_the_swedish_folder_and_to_swedish_lessons():
    english = ROOT / "notebooks" / "05_what_leaks.ipynb"
    done = [ROOT / "notebooks" / "06_privacy_defences.ipynb"]
    text = ("[06](06_privacy_defences.ipynb) [07](07_real_deployment.ipynb#top) "
            "[guide](../docs/workshop.md) [web](https://example.org/a) [here](#part-2) "
            "[own](../00_start_here.ipynb)")
    assert translate.rebase_links(text, english, "sv", done, only=translate.link_targets(
        text) - {"../00_start_here.ipynb"}) == (
        "[06](06_privacy_defences.ipynb) [07](../07_real_deployment.ipynb#top) "
        "[guide](../../docs/workshop.md) [web](https://example.org/a) [here](#part-2) "
        "[own](../00_start_here.ipynb)")
