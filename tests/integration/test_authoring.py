"""The authoring tool with a real kernel: ``execute`` runs it on the portable CPU settings."""

from __future__ import annotations

import nbformat

from tools import authoring


def test_execute_runs_the_kernel_on_the_portable_cpu_settings(tmp_path):
    path = tmp_path / "probe.ipynb"
    code = ("import os, torch\nprint(os.environ.get('ATEN_CPU_CAPABILITY'), "
            "torch.backends.cpu.get_cpu_capability().lower(), torch.get_num_threads())")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    authoring.execute(path)
    assert nbformat.read(path, as_version=4).cells[0].outputs[0]["text"].split() == [
        "default", "default", "1"]
