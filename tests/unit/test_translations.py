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


# --------------------------------------------------------------------------- the documents

def test_every_swedish_document_is_its_english_one_translated():
    documents = [p.relative_to(ROOT).as_posix() for p in translate.translated_documents("sv")]
    for wanted in ("README.md", "docs/laptops.md", "docs/deployment.md", "docs/room-server.md",
                   "docs/workshop.md"):
        assert wanted in documents
    assert translate.document_problems("sv") == []


_GUIDE = """\
# Room guide

Each site runs one SuperNode. The room
needs 8 GB of memory.

- Start the [server](room.md#start-the-server) first.
- Then the laptops.

| what | why |
|---|---|
| Python | the kit |

```
python course.py lab
```

## Start the server

See [the guide](#room-guide) and [the lesson](../notebooks/01_demo.ipynb).

<!-- translation ends here -->

## Not translated

Maintainers only.
"""

_SWEDISH = {
    "# Room guide": "# Guide för rummet",
    "Each site runs one SuperNode. The room needs 8 GB of memory.":
        "Varje sjukhus kör en SuperNode. Rummet behöver 8 GB minne.",
    "- Start the [server](room.md#start-the-server) first.":
        "- Starta [servern](room.md#start-the-server) först.",
    "- Then the laptops.": "- Sedan de bärbara datorerna.",
    "| what | why |": "| vad | varför |",
    "| Python | the kit |": "| Python | verktyget |",
    "```\npython course.py lab\n```": "```\npython course.py lab\n```",
    "## Start the server": "## Starta servern",
    "See [the guide](#room-guide) and [the lesson](../notebooks/01_demo.ipynb).":
        "Se [guiden](#room-guide) och [lektionen](../notebooks/01_demo.ipynb).",
}


@pytest.fixture
def documents(tmp_path, monkeypatch):
    """A course with one English document, docs/room.md, translated into Swedish and built."""
    monkeypatch.setattr(translate, "ROOT", tmp_path)
    monkeypatch.setattr(translate, "LOCALE", tmp_path / "locale")
    english = tmp_path / "docs" / "room.md"
    english.parent.mkdir()
    english.write_text(_GUIDE, encoding="utf-8")
    po = translate.document_catalogue(english, "sv")
    catalogue = translate.updated(po, translate.document_template(english), "sv")
    assert sorted(m.id for m in catalogue if m.id) == sorted(_SWEDISH)
    for message in catalogue:
        if message.id:
            message.string = _SWEDISH[message.id]
    translate.write_catalogue(po, catalogue)
    assert [p.relative_to(tmp_path).as_posix() for p in translate.build("sv", run=False)] == [
        "docs/sv/room.md"]
    assert translate.document_problems("sv") == []
    return tmp_path


def test_a_swedish_document_keeps_the_layout_and_moves_links_and_anchors(documents):
    assert (documents / "docs/sv/room.md").read_text(encoding="utf-8") == """\
# Guide för rummet

Varje sjukhus kör en SuperNode. Rummet behöver 8 GB minne.

- Starta [servern](room.md#starta-servern) först.
- Sedan de bärbara datorerna.

| vad | varför |
|---|---|
| Python | verktyget |

```
python course.py lab
```

## Starta servern

Se [guiden](#guide-för-rummet) och [lektionen](../../notebooks/01_demo.ipynb).
"""


def test_a_changed_english_paragraph_fails_until_its_translation_is_reviewed(documents):
    english = documents / "docs/room.md"
    po = translate.document_catalogue(english, "sv")
    english.write_text(_GUIDE.replace("- Then the laptops.", "- Then every laptop."),
                       encoding="utf-8")
    problems = translate.document_problems("sv")
    assert any("no entry for '- Then every laptop.'" in p for p in problems)
    translate.write_catalogue(po, translate.updated(po, translate.document_template(english),
                                                    "sv"))
    problems = translate.document_problems("sv")
    assert any("'- Then every laptop.' changed in English since its translation was reviewed"
               in p for p in problems)
    with pytest.raises(translate.TranslationError, match="without a reviewed sv translation"):
        translate.translate_document(english, "sv")
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('#, fuzzy\n#| msgid "- Then the laptops."\n', "")
                  .replace('"- Sedan de bärbara datorerna."', '"- Sedan varje bärbar dator."'),
                  encoding="utf-8")
    assert translate.document_problems("sv") == [
        "docs/sv/room.md is not the current translation of docs/room.md (run `python -m "
        "tools.translate build docs/room.md`)"]
    list(translate.build("sv", [english], run=False))
    assert "- Sedan varje bärbar dator." in (documents / "docs/sv/room.md").read_text("utf-8")
    assert translate.document_problems("sv") == []


def test_rewrapping_or_a_changed_number_needs_no_new_review(documents):
    english = documents / "docs/room.md"
    english.write_text(_GUIDE.replace("The room\nneeds 8 GB", "The room needs\n16 GB"),
                       encoding="utf-8")
    assert translate.document_problems("sv") == [
        "docs/sv/room.md is not the current translation of docs/room.md (run `python -m "
        "tools.translate build docs/room.md`)"]
    list(translate.build("sv", [english], run=False))
    assert "Rummet behöver 16 GB minne." in (documents / "docs/sv/room.md").read_text("utf-8")
    assert translate.document_problems("sv") == []


def test_hand_edited_or_stray_swedish_documents_fail(documents):
    swedish = documents / "docs/sv/room.md"
    swedish.write_text(swedish.read_text("utf-8").replace("minne", "RAM"), encoding="utf-8")
    (documents / "docs/sv/other.md").write_text("# Annat\n", encoding="utf-8")
    assert translate.document_problems("sv") == [
        "docs/sv/room.md is not the current translation of docs/room.md (run `python -m "
        "tools.translate build docs/room.md`)",
        "docs/sv/other.md has no catalogue: it is not built from an English document"]


def test_where_a_translation_is_written():
    assert translate.translated_path(ROOT / "README.md", "sv") == ROOT / "README.sv.md"
    assert translate.translated_path(ROOT / "data" / "DATA_CARD.md", "sv") == (
        ROOT / "data" / "DATA_CARD.sv.md")
    assert translate.translated_path(ROOT / "docs" / "dpia.md", "sv") == (
        ROOT / "docs" / "sv" / "dpia.md")
    assert translate.translated_path(ROOT / "notebooks" / "00_start_here.ipynb", "sv") == (
        ROOT / "notebooks" / "sv" / "00_start_here.ipynb")


def test_english_that_comes_back_gets_its_reviewed_translation_back(documents):
    english = documents / "docs/room.md"
    po = translate.document_catalogue(english, "sv")

    def update() -> None:
        translate.write_catalogue(po, translate.updated(
            po, translate.document_template(english), "sv"))

    english.write_text(_GUIDE.replace("- Then the laptops.\n", ""), encoding="utf-8")
    update()
    assert '#~ msgid "- Then the laptops."' in po.read_text(encoding="utf-8")
    english.write_text(_GUIDE, encoding="utf-8")
    update()
    text = po.read_text(encoding="utf-8")
    assert 'msgid "- Then the laptops."\nmsgstr "- Sedan de bärbara datorerna."' in text
    assert "#~" not in text and "fuzzy" not in text
    assert translate.document_problems("sv") == []


def test_a_machine_assisted_translation_says_so_until_it_is_reviewed(documents):
    listing = documents / "locale" / "sv" / "machine-assisted.txt"
    listing.write_text("# not reviewed yet\ndocs/room.md\n", encoding="utf-8")
    assert translate.document_problems("sv") == [
        "docs/sv/room.md is not the current translation of docs/room.md (run `python -m "
        "tools.translate build docs/room.md`)"]
    list(translate.build("sv", run=False))
    lines = (documents / "docs/sv/room.md").read_text("utf-8").splitlines()
    assert lines[0] == "# Guide för rummet" and lines[2].startswith("> **Maskinstödd")
    assert "(../room.md)" in "\n".join(lines[2:5])
    listing.write_text("# reviewed: nothing left\n", encoding="utf-8")
    list(translate.build("sv", run=False))
    assert "Maskinstödd" not in (documents / "docs/sv/room.md").read_text("utf-8")
    assert translate.document_problems("sv") == []


def test_a_machine_assisted_notebook_says_so_under_its_title_until_it_is_reviewed(course):
    listing = course / "locale" / "sv" / "machine-assisted.txt"
    listing.write_text("notebooks/01_demo.ipynb\n", encoding="utf-8")
    stored = course / "notebooks/sv/01_demo.ipynb"
    assert translate.notebook_problems("sv") == [
        "notebooks/sv/01_demo.ipynb cell-00: Markdown is not the current translation (run "
        "`python -m tools.translate build`)"]
    list(translate.build("sv", run=False))
    blocks = nbformat.read(stored, as_version=4).cells[0].source.split("\n\n")
    assert blocks[0] == "# 01 · Demo på svenska" and blocks[1].startswith("> **Maskinstödd")
    assert "(../01_demo.ipynb)" in blocks[1] and blocks[2].startswith("Varje sjukhus")
    assert translate.notebook_problems("sv") == []
    listing.write_text("# reviewed\n", encoding="utf-8")
    list(translate.build("sv", run=False))
    assert "Maskinstödd" not in nbformat.read(stored, as_version=4).cells[0].source


def test_a_catalogue_both_branches_added_to_keeps_both_sides():
    header = 'msgid ""\nmsgstr ""\n"Language: sv\\n"\n\n'
    text = (header + 'msgid "Kept"\nmsgstr "Kvar"\n\n'
            '<<<<<<< HEAD\nmsgid "Ours"\nmsgstr "Vår"\n\nmsgid "Both"\nmsgstr "Båda A"\n'
            '=======\nmsgid "Theirs"\nmsgstr "Deras"\n\nmsgid "Both"\nmsgstr "Båda B"\n'
            '>>>>>>> other\n')
    catalogue, differ = translate.resolved(text, "sv")
    strings = {m.id: m.string for m in catalogue if m.id}
    assert strings == {"Kept": "Kvar", "Ours": "Vår", "Theirs": "Deras", "Both": "Båda A"}
    both = catalogue.get("Both")
    assert both.fuzzy and both.user_comments == ["other branch: Båda B"]
    assert differ == ["Both"]
    assert not any(m.fuzzy for m in catalogue if m.id and m.id != "Both")


def test_the_previous_english_stays_while_fuzzy_and_goes_once_reviewed(tmp_path):
    po = tmp_path / "demo.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  '# a translator\'s note\n#, fuzzy\n#| msgid ""\n#| "Each site "\n'
                  '#| "trains alone."\nmsgid "Each site trains its model alone."\n'
                  'msgstr "Varje sjukhus tränar på egen hand."\n\n'
                  '#| msgid "Old text."\nmsgid "New text."\nmsgstr "Ny text."\n',
                  encoding="utf-8")
    catalogue = translate.read_catalogue(po, "sv")
    fuzzy, reviewed = (catalogue.get(t) for t in ("Each site trains its model alone.",
                                                   "New text."))
    assert fuzzy.previous_id == ["Each site trains alone."]
    assert fuzzy.user_comments == ["a translator's note"]
    assert reviewed.previous_id == [] or not reviewed.fuzzy
    translate.write_catalogue(po, catalogue)
    text = po.read_text(encoding="utf-8")
    # Written once, the way gettext writes it, and only where a reviewer still needs it.
    assert text.count('#| msgid "Each site trains alone."') == 1 and "# |" not in text
    assert "Old text." not in text and "# a translator's note" in text
    translate.write_catalogue(po, translate.read_catalogue(po, "sv"))  # stable on re-write
    assert po.read_text(encoding="utf-8") == text
