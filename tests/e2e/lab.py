"""Driving JupyterLab in Chromium the way a learner uses it (helpers for the e2e tests)."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
        return f"{self.url}/lab/tree/{relative_path}?token={self.token}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_lab(root: Path, timeout: float = 90) -> Iterator[Lab]:
    """Start ``jupyter lab`` from the kit's environment on a free loopback port."""
    port, token = free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).with_name("jupyter")
    log = open(root / "jupyter-lab.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
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
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def copy_course(target: Path) -> Path:
    """A throwaway copy of the course folders, so a browser run never edits committed files."""
    repo = Path(__file__).resolve().parents[2]
    for folder in ("notebooks", "exercises", "solutions"):
        shutil.copytree(repo / folder, target / folder)
    return target


RUN_ALL = """async () => {
  const app = window.jupyterapp;
  await app.commands.execute('notebook:restart-run-all');
}"""

IDLE = """() => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  if (!panel || !panel.sessionContext || !panel.content) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code'
                                                 && c.model.sharedModel.getSource().trim());
  return cells.every(c => c.model.executionCount !== null
                          && !c.promptNode.textContent.includes('*'));
}"""


def wait_for_notebook(page, timeout_ms: int = 60_000) -> None:
    """Wait until the open notebook has rendered its cells and its kernel is ready."""
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout_ms)
    page.wait_for_function("""() => {
        const p = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return p && p.sessionContext && p.sessionContext.session
               && p.sessionContext.session.kernel
               && p.sessionContext.session.kernel.status === 'idle';
    }""", timeout=timeout_ms)


def restart_and_run_all(page, timeout_ms: int = 180_000) -> None:
    """Kernel > Restart Kernel and Run All Cells, confirm, and wait until every cell ran."""
    page.evaluate(RUN_ALL.replace("await app.commands.execute", "app.commands.execute"))
    page.locator(".jp-Dialog .jp-mod-accept").click(timeout=15_000)
    # Idle must hold twice in a row: the kernel is briefly idle between cells.
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
    page.locator(".jp-Notebook .jp-Cell").last.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=ARTIFACTS / f"{name}-end.png")


def error_outputs(page) -> list[str]:
    """Text of every error output in the open notebook."""
    return page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").all_inner_texts()


def stderr_of_first_code_cell(page) -> str:
    """What the first code cell wrote to stderr (warnings show up there)."""
    first = page.locator(".jp-CodeCell").first
    return "\n".join(first.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).all_inner_texts())
