"""Driving JupyterLab in Chromium the way a learner uses it (helpers for the e2e tests)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fedlearn_kit.federation.command_runner import stop_tree

CHROMIUM = Path(os.environ.get("FEDLEARN_CHROMIUM", "/usr/bin/chromium"))
# Without these flags Chromium keeps calling Google's services, which this closed network
# refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab server."""

    url: str
    token: str
    root: Path

    def open_url(self, relative_path: str) -> str:
        """A URL that opens one file in a workspace of its own (no tabs restored)."""
        workspace = "t" + secrets.token_hex(4)
        return (f"{self.url}/lab/workspaces/{workspace}/tree/{relative_path}"
                f"?reset&token={self.token}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_lab_command(port: int, root: Path) -> list[str]:
    """The command ``python course.py lab`` (and ``make lab``) runs, pointed at ``root``."""
    repo = Path(__file__).resolve().parents[2]
    printed = subprocess.run([sys.executable, str(repo / "course.py"), "lab", "--print-command",
                              "--port", str(port)], cwd=repo, capture_output=True, text=True,
                             check=True).stdout
    command = [a for a in json.loads(printed) if not a.startswith("--ServerApp.root_dir=")]
    return [*command, f"--ServerApp.root_dir={root}"]


@contextlib.contextmanager
def running_lab(root: Path, timeout: float = 90) -> Iterator[Lab]:
    """Start JupyterLab as ``python course.py lab`` does, on a free loopback port, with a token."""
    port, token = free_port(), secrets.token_hex(16)
    log = open(root / "jupyter-lab.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*make_lab_command(port, root), "--no-browser", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
         # A fresh workspace: no tabs restored from earlier sessions on this machine.
         f"--LabApp.workspaces_dir={root / 'workspaces'}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start; see {root}/jupyter-lab.log") from None
                time.sleep(0.5)
        yield Lab(url, token, root)
    finally:
        stop_tree(process.pid, grace=20)  # a JupyterLab with kernels takes its time
        log.close()


def copy_course(target: Path) -> Path:
    """A throwaway copy of the course folders, so a browser run never edits committed files."""
    repo = Path(__file__).resolve().parents[2]
    for folder in ("notebooks", "exercises", "solutions"):
        shutil.copytree(repo / folder, target / folder)
    return target


BUSY = """() => Array.from(document.querySelectorAll(
                   '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt'))
                   .some(p => p.textContent.includes('*'))"""

IDLE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  const queued = Array.from(document.querySelectorAll(
                      '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt'))
                      .some(p => p.textContent.includes('*'));
  return Boolean(kernel) && kernel.status === 'idle' && !queued;
}"""


def wait_for_notebook(page, timeout_ms: int = 60_000) -> None:
    """Wait until the open notebook has rendered its cells and its kernel is ready."""
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=timeout_ms)
    page.wait_for_function("""() => {
        const p = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return p && p.content && p.content.widgets && p.sessionContext
               && p.sessionContext.session
               && p.sessionContext.session.kernel
               && p.sessionContext.session.kernel.status === 'idle';
    }""", timeout=timeout_ms)


RESTART_AND_RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.sessionContext.session.kernel.restart();
  await panel.sessionContext.ready;
  app.commands.execute('notebook:run-all-cells');
}"""


def restart_and_run_all(page, timeout_ms: int = 180_000) -> None:
    """Restart the open notebook's kernel, run all cells, wait until the run is over.

    The same as Kernel > Restart Kernel and Run All Cells, without the confirmation
    dialog (another dialog could be in front of it). The run is over when no cell is
    queued (``[*]``) and the kernel is idle, twice in a row (the kernel is briefly idle
    between cells). A cell that raises ends the run early, as it does for a learner.
    """
    page.evaluate(RESTART_AND_RUN_ALL)
    page.wait_for_function(BUSY, timeout=60_000)
    deadline = time.monotonic() + timeout_ms / 1000
    stable = 0
    while stable < 2:
        if time.monotonic() > deadline:
            raise TimeoutError("the notebook did not finish running in time")
        stable = stable + 1 if page.evaluate(IDLE) else 0
        page.wait_for_timeout(500)


def screenshot_top_and_end(page, name: str) -> None:
    """Save the notebook's first screen and its last cells as test artefacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").last \
        .scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=ARTIFACTS / f"{name}-end.png")


OUTPUTS = """(kind) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  const found = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    for (let j = 0; j < cell.outputs.length; j++) {
      const out = cell.outputs.get(j).toJSON();
      if (kind === 'error' && out.output_type === 'error') {
        found.push({cell: i, text: out.ename + ': ' + out.evalue});
      } else if (out.output_type === 'stream' && out.name === kind) {
        found.push({cell: i, text: Array.isArray(out.text) ? out.text.join('') : out.text});
      }
    }
  }
  return found;
}"""


def error_outputs(page) -> list[str]:
    """Every error (exception) output of the open notebook, read from its model."""
    return [o["text"] for o in page.evaluate(OUTPUTS, "error")]


def stream_of_first_code_cell(page, name: str = "stderr") -> str:
    """What the first code cell after the parameters wrote to ``name`` (warnings: stderr)."""
    first = page.evaluate("""() => {
      const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
      for (let i = 0; i < cells.length; i++) {
        const c = cells.get(i);
        const tags = c.getMetadata('tags') || [];
        if (c.type === 'code' && c.sharedModel.getSource().trim()
            && !tags.includes('parameters')) return i;
      }
      return -1;
    }""")
    return "".join(o["text"] for o in page.evaluate(OUTPUTS, name) if o["cell"] == first)


RUN_IN_KERNEL = """async (code) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  let text = '';
  const future = kernel.requestExecute({code, store_history: false});
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') text += msg.content.text;
    if (msg.header.msg_type === 'error') text += msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  return text;
}"""


def run_in_kernel(page, code: str) -> str:
    """Run ``code`` in the open notebook's kernel (no cell changes); return what it printed."""
    return page.evaluate(RUN_IN_KERNEL, code)


BROKEN_RENDERING = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const images = Array.from(panel.querySelectorAll('.jp-OutputArea-output img'));
  return {
    outputs: panel.querySelectorAll('.jp-OutputArea-output').length,
    images: images.length,
    brokenImages: images.filter(i => !(i.complete && i.naturalWidth > 0)).length,
    renderErrors: panel.querySelectorAll('.jp-RenderedText[data-mime-type$="error"]').length,
  };
}"""


def rendering(page) -> dict[str, int]:
    """How the open notebook's stored outputs render: counts of outputs, images, failures."""
    page.wait_for_timeout(500)  # images decode after the cells are attached
    return page.evaluate(BROKEN_RENDERING)
