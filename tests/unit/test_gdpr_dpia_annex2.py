"""The DPIA draft covers WP 248 Annex 2 in full, in both languages, and opens in Word.

legal-review §5.3 listed what a DPO needs before building on the draft: data subjects
including staff, data categories from the data card, recipients, flows, assets, Art. 35(8),
necessity and proportionality, the rights including Arts. 11, 12, 18, 19 and 20(3), risk
sources and event types, a stated likelihood × severity scale, measures with owner, deadline
and the risks they lower, residual risk per risk, the joint controllers' allocation, the
secrecy assessment and information classification, the screening decision on page one and
Art. 36. Each test below checks one of them.
"""

from __future__ import annotations

import copy
import io

import pytest

import fedlearn_kit as kit
from fedlearn_kit import gdpr
from fedlearn_kit.gdpr import dpia as dpia_mod
from fedlearn_kit.gdpr import dpia_model, terms
from fedlearn_kit.gdpr.dpia_text import T
from fedlearn_kit.gdpr.render import to_markdown


@pytest.fixture(scope="module")
def drafts():
    facts = gdpr.default_facts()
    return {lang: gdpr.dpia_draft(gdpr.example_answers(facts, lang=lang), facts, lang=lang,
                                  answers_language=lang) for lang in ("en", "sv")}


def _table(draft, head_key):
    head = draft.t[head_key].split("|")
    return next(b[2] for b in draft.blocks() if b[0] == "table" and b[1] == head)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_screening_decision_is_on_page_one(drafts, lang):
    md = drafts[lang].markdown()
    t = T[lang]
    assert md.index(t["screening"]) < md.index(t["description"])
    rows = _table(drafts[lang], "screening_head")
    assert len(rows) == 9
    met = sum(r[1] == t["yes"] for r in rows)
    assert met >= 2 and t["screening_conclusion"].format(met=met) in md


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_data_subjects_include_staff(drafts, lang):
    subjects = [r[0] for r in _table(drafts[lang], "subjects_head")]
    assert subjects == (["Patients", "Staff"] if lang == "en" else ["Patienter", "Personal"])


def test_data_categories_cover_every_column_of_the_data_card():
    from fedlearn_kit.schema import COLUMNS

    listed = [c for _, columns in dpia_mod.data_categories() for c in columns]
    assert sorted(listed) == sorted(c.name for c in COLUMNS)


def test_a_column_without_a_category_fails(monkeypatch):
    content = copy.deepcopy(dpia_model.load_content())
    content["data_categories"] = content["data_categories"][1:]
    monkeypatch.setattr(dpia_mod, "load_content", lambda: content)
    with pytest.raises(ValueError, match="without a category"):
        dpia_mod.data_categories()


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_rights_include_arts_11_12_18_19_and_20_3(drafts, lang):
    rights = " ".join(r[0] + " " + r[1] for r in _table(drafts[lang], "rights_head"))
    if lang == "en":
        wanted = ("Art. 11", "Art. 12(2)", "Art. 18", "Art. 19", "Art. 20(3)", "Art. 21",
                  "Art. 22")
    else:
        wanted = ("artikel 11", "12.2", "artikel 18", "artikel 19", "artikel 20.3",
                  "artikel 21", "artikel 22")
    for ref in wanted:
        assert ref in rights, ref


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_recipients_flows_assets_and_codes_of_conduct(drafts, lang):
    draft = drafts[lang]
    assert len(_table(draft, "recipients_head")) >= 3
    assert len(_table(draft, "processing_flows_head")) == 3
    assert len(_table(draft, "assets_head")) >= 5
    assert ("Art. 35(8)" if lang == "en" else "artikel 35.8") in draft.markdown(["description"])


def test_every_risk_has_sources_an_event_type_and_a_stated_scale(drafts):
    draft = drafts["en"]
    events = {e["en"] for e in dpia_model.load_content()["event_types"].values()}
    for row in draft.risk_register():
        assert row.sources and row.event in events
    risks = draft.markdown(["risks"])
    assert "1–3 low, 4–6 medium, 8–9 high, 12–16 very high" in risks
    assert len(_table(draft, "likelihood_head")) == 4 and len(_table(draft, "severity_head")) == 4


@pytest.mark.parametrize(("likelihood", "severity", "level"), [
    (1, 1, "low"), (1, 3, "low"), (2, 2, "medium"), (3, 2, "medium"), (3, 3, "high"),
    (4, 2, "high"), (3, 4, "very_high"), (4, 4, "very_high")])
def test_risk_levels_follow_the_stated_rule(likelihood, severity, level):
    assert dpia_model.risk_level(likelihood, severity) == level


def test_risk_level_refuses_values_off_the_scale():
    with pytest.raises(ValueError):
        dpia_model.risk_level(0, 3)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_measures_have_owner_deadline_and_the_risks_they_lower(drafts, lang):
    draft = drafts[lang]
    table = _table(draft, "measures_head")
    register = draft.risk_register()
    assert len(table) == len(draft.model.measures())
    for measure, kind, owner, deadline, lowers, status in table:
        assert measure and kind in draft.t["kinds"].split("|") and owner and deadline
        assert lowers and all(r.startswith("R") for r in lowers.split(", "))
        assert status in (draft.t["in_place"], draft.t["planned"])
    lowered = {r for row in table for r in row[4].split(", ")}
    assert lowered == {f"R{i}" for i in range(1, len(register) + 1)}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_residual_risk_per_risk(drafts, lang):
    draft = drafts[lang]
    residual = _table(draft, "residual_table_head")
    assert [r[0] for r in residual] == [f"R{i}" for i in range(1, len(residual) + 1)]
    assert all(r[4] == draft.t["fill"] for r in residual)  # the controller accepts each


def test_measures_in_place_follow_the_facts():
    bare = gdpr.default_facts()
    dp = bare.measured("privacy_defences", epsilon=1.0, dp_level="record")
    placed = {m.id for m in gdpr.dpia_draft({}, dp).model.measures() if m.in_place}
    assert placed == {"dp"}
    assert not any(m.in_place for m in gdpr.dpia_draft({}, bare).model.measures())


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_allocation_secrecy_classification_and_art36(drafts, lang):
    draft = drafts[lang]
    assert len(_table(draft, "allocation_head")) == 3
    secrecy = " ".join(" ".join(r) for r in _table(draft, "secrecy_head"))
    for ref in (("OSL 25 kap. 1 §", "OSL 25 kap. 11 §", "OSL 10 kap. 27 §", "OSL 10 kap. 2 a §",
                 "OSL 21 kap. 7 §", "TF 2 kap. 8 §") if lang == "en" else
                ("25 kap. 1 § OSL", "25 kap. 11 § OSL", "10 kap. 27 § OSL", "10 kap. 2 a § OSL",
                 "21 kap. 7 § OSL", "2 kap. 8 § TF")):
        assert ref in secrecy, ref
    assert len(_table(draft, "classification_head")) == 6
    residual = draft.markdown(["residual"])
    assert draft.t["art36_time"] in residual
    assert all(item in residual for item in draft.model.content["prior_consultation"][lang])


def test_the_content_file_is_checked():
    data = copy.deepcopy(dpia_model.read_content())
    assert dpia_model.content_problems(data) == []
    data["risks"][0]["measures"] = ["no_such_measure"]
    data["measures"][0]["owner"] = "nobody"
    data["risk_sources"]["partner"] = {"en": "half", "its systems)": None, "sv": "x"}
    data["risks"][1]["event"] = "explosion"
    problems = "\n".join(dpia_model.content_problems(data))
    for expected in ("unknown measure 'no_such_measure'", "owner must be a role",
                     "risk_sources.partner", "event must be one of"):
        assert expected in problems, expected


def _without_citations(draft):
    """The draft's blocks without its list of sources and the checkpoints' source column:
    bibliographic entries keep each publisher's own name and language."""
    out, skip = [], False
    head = draft.t["checkpoints_head"].split("|")
    for block in draft.blocks():
        if block[0] == "h" and block[1] <= 2:
            skip = block[2] == draft.t["sources"]
        if skip:
            continue
        if block[0] == "table" and block[1] == head:
            block = ("table", block[1][:-1], [r[:-1] for r in block[2]])
        out.append(block)
    return to_markdown(out)


def test_swedish_draft_has_no_english_sentences_and_keeps_to_the_terms(drafts):
    text = _without_citations(drafts["sv"])
    assert terms.english_passages(text) == []
    assert terms.forbidden_variants(drafts["sv"].markdown()) == []


def test_a_swedish_draft_with_measurements_has_no_english_sentences():
    facts = gdpr.default_facts().measured(
        "what_leaks", attack="loss threshold", membership_advantage=0.04,
        membership_advantage_ci=[0.01, 0.07], null_advantage_95=0.05, attack_members=300,
        attack_non_members=1200).measured(
        "privacy_defences", epsilon=1.0, delta=1e-5, dp_level="record",
        adjacency="add-remove", advantage_bound=0.46,
        dp_covers="the weights only; metrics leave without noise")
    draft = gdpr.dpia_draft(gdpr.example_answers(facts, lang="sv"), facts, lang="sv",
                            answers_language="sv")
    assert terms.english_passages(_without_citations(draft)) == []


def test_answers_in_the_other_language_are_marked():
    facts = gdpr.default_facts()
    english = gdpr.example_answers(facts, lang="en")
    marked = gdpr.dpia_draft(english, facts, lang="sv").markdown()
    assert "(svaret är på engelska)" in marked
    told = gdpr.dpia_draft(english, facts, lang="sv", answers_language="sv").markdown()
    assert "(svaret är på engelska)" not in told
    swedish = gdpr.example_answers(facts, lang="sv")
    assert "(answer written in Swedish)" in gdpr.dpia_draft(swedish, facts).markdown()


def test_example_answers_exist_in_both_languages_for_the_same_cards():
    assert set(gdpr.example_answers(lang="en")) == set(gdpr.example_answers(lang="sv"))
    with pytest.raises(ValueError):
        gdpr.example_answers(lang="de")


# -- Word ---------------------------------------------------------------------------------

def _reopen(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_docx_has_the_drafts_headings_tables_and_fill_in_fields(drafts, lang):
    from docx.oxml.ns import qn

    from fedlearn_kit.gdpr.docx_render import FILL_TAG

    draft = drafts[lang]
    blocks = draft.blocks()
    document = _reopen(draft.docx())
    headings = [(int(p.style.name.split()[-1]), p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings == [(b[1], b[2]) for b in blocks if b[0] == "h"]
    tables = [b for b in blocks if b[0] == "table"]
    assert len(document.tables) == len(tables)
    for table, block in zip(document.tables, tables, strict=True):
        assert [c.text for c in table.rows[0].cells] == list(block[1])
        assert len(table.rows) == 1 + len(block[2])
        assert table.style.name == "Table Grid"
    fills = sum(str(cell).count(draft.t["fill"]) for b in tables for row in b[2]
                for cell in row)
    tags = document.element.body.iter(qn("w:tag"))
    assert sum(t.get(qn("w:val")) == FILL_TAG for t in tags) >= fills > 0
    assert document.core_properties.title == draft.t["title"]


def test_docx_is_reproducible(drafts):
    assert drafts["en"].docx() == drafts["en"].docx()


def test_write_dpia_writes_docx(tmp_path, drafts):
    path = dpia_mod.write_dpia(tmp_path / "kb.docx", drafts["sv"])
    assert _reopen(path.read_bytes()).paragraphs[0].text == T["sv"]["title"]
    with pytest.raises(ValueError, match=".docx"):
        dpia_mod.write_dpia(tmp_path / "kb.pdf", drafts["sv"])


def test_three_sites_have_no_two_site_risk():
    three = gdpr.facts_from_experiment(kit.Experiment(num_sites=3))
    assert "two_sites" not in {r.id for r in gdpr.dpia_draft({}, three).risk_register()}
