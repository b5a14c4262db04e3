"""show_cards in a real Python process and a real kernel (the unit tests: tests/unit)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fedlearn_kit import gdpr

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_plain_terminal_prints_markdown(tmp_path):
    code = ("from fedlearn_kit import show_cards; "
            f"show_cards('federated', answers_file={str(tmp_path / 'a.json')!r})")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("### GDPR questions · 04 · Federated")
    assert "federated.joint_controllers" in out
    assert not (tmp_path / "a.json").exists(), "showing cards must not create the file"


def test_notebook_kernel_output_is_text_plus_widget(tmp_path):
    """Run show_cards in a real kernel: nbval compares text/plain and text/markdown only."""
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    from tools.authoring import strip

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import fedlearn_kit as kit\nkit.show_cards('start_here')")])
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["display_data"]
    data = outputs[0]["data"]
    assert WIDGET_MIME in data
    assert data["text/plain"] == gdpr.CardPanel("start_here").markdown()
    stripped = strip(nb)
    assert WIDGET_MIME not in stripped.cells[0].outputs[0]["data"]
    assert "widgets" not in stripped.metadata
    assert not (tmp_path / "fedlearn-answers.json").exists()
