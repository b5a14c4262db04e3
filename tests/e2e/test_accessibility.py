"""axe-core over every generated page (one browser session): no serious or critical violation.

Every HTML material, projector view, lesson export (English, and Swedish under */sv/) and
take-home document under docs/materials/ is opened in Chromium and checked with axe-core
(bundled in axe-playwright-python, so nothing is downloaded). A violation of impact "serious" or
"critical" fails the test. Beside axe, the test checks what axe cannot judge: every figure's
alt text says what it shows (not a placeholder), headings start at one h1 and never skip a
level, and the Swedish parts of a page are marked ``lang="sv"``. Moderate and minor findings
are written to artifacts/e2e/axe-moderate-minor.json for the record (docs/workshop.md,
"Accessibility of the materials", says why each remains).
"""

from __future__ import annotations

import json

import pytest

from fedlearn_kit.materials.export import MISSING_ALT
from tests.e2e.lab import ARTIFACTS
from tests.e2e.printing import MATERIALS, generated_materials

FAILING_IMPACTS = ("serious", "critical")
#: A text alternative shorter than this says too little about a chart to replace it.
MIN_ALT_CHARACTERS = 40

STRUCTURE = """() => {
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
                        .map(h => Number(h.tagName[1]));
  const skips = [];
  for (let i = 1; i < headings.length; i++) {
    if (headings[i] > headings[i - 1] + 1) skips.push([headings[i - 1], headings[i]]);
  }
  const images = Array.from(document.images).map(img => img.getAttribute('alt') || '');
  const unmarked = Array.from(document.querySelectorAll('.sv'))
                        .filter(el => !el.closest('[lang="sv"]'))
                        .map(el => el.textContent.slice(0, 60));
  return {h1: headings.filter(h => h === 1).length, first: headings[0] || 0, skips: skips,
          images: images, unmarkedSwedish: unmarked};
}"""


#: Slides of a projector view taller than the screen (1280 x 800, the smallest projector
#: the workshop plans for): all slides shown, each measured.
TALL_SLIDES = """() => {
  document.body.classList.remove('paged');
  const tall = Array.from(document.querySelectorAll('.slide'))
    .map((s, i) => [i + 1, s.getBoundingClientRect().height])
    .filter(([i, h]) => h > window.innerHeight + 1);
  document.body.classList.add('paged');
  return tall;
}"""


@pytest.fixture(scope="module")
def axe_page(browser):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                     reason="axe-playwright-python is not installed: run "
                                            "`python course.py install --set dev`")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page, axe_module.Axe()
    context.close()


@pytest.fixture(scope="module")
def lesser_findings():
    found: dict[str, list[dict[str, object]]] = {}
    yield found
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-moderate-minor.json").write_text(json.dumps(found, indent=1),
                                                       encoding="utf-8")


@pytest.mark.parametrize("path", generated_materials(),
                         ids=lambda p: str(p.relative_to(MATERIALS)))
def test_page_meets_wcag_aa_as_axe_and_the_course_check_it(axe_page, lesser_findings, path):
    page, axe = axe_page
    page.goto(path.as_uri())
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
        "resultTypes": ["violations"]})
    violations = results.response["violations"]
    failing = [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"])
               for v in violations if v["impact"] in FAILING_IMPACTS]
    lesser = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
              for v in violations if v["impact"] not in FAILING_IMPACTS]
    if lesser:
        lesser_findings[str(path.relative_to(MATERIALS))] = lesser
    assert not failing, f"{path.name}: axe-core finds {failing}"

    found = page.evaluate(STRUCTURE)
    assert found["h1"] == 1 and found["first"] == 1, \
        f"{path.name}: a page starts with one h1 (found {found['h1']}, first h{found['first']})"
    assert not found["skips"], f"{path.name}: headings skip a level: {found['skips']}"
    poor = [alt for alt in found["images"]
            if alt == MISSING_ALT or len(alt) < MIN_ALT_CHARACTERS]
    assert not poor, f"{path.name}: figures without a real text alternative: {poor[:3]}"
    assert not found["unmarkedSwedish"], \
        f"{path.name}: Swedish text not marked lang=\"sv\": {found['unmarkedSwedish'][:3]}"
    if "sv" in path.relative_to(MATERIALS).parts[:-1]:  # the Swedish lessons' pages
        assert page.evaluate("document.documentElement.lang") == "sv", \
            f"{path.name}: a page of notebooks/sv/ must say lang=\"sv\""
    if "projector" in path.relative_to(MATERIALS).parts:  # projector/ and projector/sv/
        tall = page.evaluate(TALL_SLIDES)
        assert not tall, f"{path.name}: slides taller than a 1280 x 800 screen: {tall}"
