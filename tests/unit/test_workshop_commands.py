"""What a facilitator runs on a laptop (``fedlearn-kit materials export``, the default folder
of ``clean-answers``; its other tests are test_materials.py's), and the maintainer commands
that moved to tools/ failing with the new command's name."""

from __future__ import annotations

import importlib
import runpy

import nbformat
import pytest

from fedlearn_kit.cli import main
from fedlearn_kit.materials import cleanup
from fedlearn_kit.materials.export import export_notebook_html
from fedlearn_kit.materials.html import external_resources

# ------------------------------------------------------------------ clean-up


def test_clean_answers_searches_the_current_folder_by_default(tmp_path, monkeypatch):
    # The facilitator runs it in the kit folder (docs/workshop.md); an installed kit has no
    # folder of its own to search.
    monkeypatch.delenv("FEDLEARN_ANSWERS", raising=False)
    answers = tmp_path / "notebooks" / "fedlearn-answers.json"
    answers.parent.mkdir()
    answers.write_text("{}", "utf-8")
    monkeypatch.chdir(tmp_path)
    assert cleanup.find_answers_files() == [answers.resolve()]


# ------------------------------------------------------------------ export


def test_export_of_a_prerun_copy_shows_widget_cards_offline(tmp_path, capsys):
    # In a pre-run (papermill) copy the cards are a widget with a Markdown fallback; the
    # export must show the fallback and load nothing (nbconvert would fetch the renderer).
    cell = nbformat.v4.new_code_cell("kit.show_cards('federated')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "CardsPanel(...)", "text/markdown": "### GDPR questions\n\n**Who?**",
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                     "version_minor": 0}})]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A pre-run copy"),
                                         cell])
    path = tmp_path / "prerun" / "prerun.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    html = export_notebook_html(path)
    assert "<strong>Who?</strong>" in html and "CardsPanel" not in html
    assert external_resources(html) == [] and "widget" not in html
    assert main(["materials", "export", str(path.parent), "--out", str(tmp_path / "html")]) == 0
    assert (tmp_path / "html" / "prerun.html").read_text("utf-8") == html
    assert "fedlearn-kit materials export" in html  # the footer names the command


def test_export_of_a_swedish_notebook_is_a_swedish_page(tmp_path):
    cell = nbformat.v4.new_code_cell("1 + 1")
    cell.metadata["tags"] = ["checked-sentences"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# En lektion"), cell])
    path = tmp_path / "notebooks" / "sv" / "00_x.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    assert main(["materials", "export", str(path.parent), "--out", str(tmp_path / "html")]) == 0
    html = (tmp_path / "html" / "00_x.html").read_text("utf-8")
    assert html == export_notebook_html(path, lang="sv")
    assert '<html lang="sv">' in html and "<summary>Kontrollerade meningar" in html
    assert "inte juridisk rådgivning" in html and "Checked sentences" not in html
    english = export_notebook_html(path)
    assert '<html lang="en">' in english and "<summary>Checked sentences" in english


def test_external_resources_are_found():
    assert external_resources('<script src="https://unpkg.com/x.js"></script>')
    assert external_resources('<link rel="stylesheet" href="//cdn.example/x.css">')
    assert external_resources("<style>@import url('https://fonts.example/a.css');</style>")
    assert external_resources('<img src="http://example.org/a.png">')
    local = '<a href="https://imy.se">IMY</a><img src="data:image/png;base64,x">'
    assert external_resources(local) == []


# ------------------------------------------------------------------ moved to tools/


@pytest.mark.parametrize(("module", "command"), [
    ("fedlearn_kit.authoring", "python -m tools.authoring"),
    ("fedlearn_kit.gdpr.workshop", "python -m tools.materials"),
])
def test_moved_modules_name_their_new_command(module, command):
    with pytest.raises(ModuleNotFoundError, match=f"moved out of the kit: run `{command}`"):
        importlib.import_module(module)
    # `python -m <old module>` goes through the same lookup and prints the same sentence.
    with pytest.raises(ImportError, match=f"run `{command}`"):
        runpy.run_module(module, run_name="__main__")


def test_unknown_modules_still_fail_as_usual():
    with pytest.raises(ModuleNotFoundError, match="No module named 'fedlearn_kit.no_such'"):
        importlib.import_module("fedlearn_kit.no_such")


@pytest.mark.parametrize(("argv", "command"), [
    (["materials"], "python -m tools.materials"),
    (["materials", "build"], "python -m tools.materials"),
    (["materials", "check"], "python -m tools.materials --check"),
])
def test_materials_build_and_check_name_the_tool(argv, command, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"run `{command}` in the course folder" in err and err.count("\n") == 1
