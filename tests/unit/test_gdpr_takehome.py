"""The take-home pack of lesson 08: six drafts in both languages, each citing its law."""

from __future__ import annotations

import copy
import io

import pytest

from fedlearn_kit import cli, gdpr
from fedlearn_kit.gdpr import takehome, terms
from fedlearn_kit.gdpr.dpia_text import T


@pytest.fixture(scope="module")
def packs():
    facts = gdpr.default_facts()
    return {lang: takehome.takehome_pack(gdpr.example_answers(facts, lang=lang), facts,
                                         lang=lang, answers_language=lang)
            for lang in ("en", "sv")}


def test_the_content_file_is_well_formed():
    assert takehome.content_problems(takehome.read_content()) == []


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["documents"][0]["law"].append("the GDPR somewhere"), "not a law reference"),
    (lambda d: d["documents"][1]["sources"].append("nowhere"), "unknown source"),
    (lambda d: d["documents"][2]["sections"][0]["heading"].pop("sv"), "en and an sv"),
    (lambda d: d["documents"][3]["sections"][0]["answers"].append("no.card"), "unknown card"),
    (lambda d: d["documents"].pop(), "ids must be"),
    (lambda d: d["documents"][0]["sections"][1]["table"]["rows"]["sv"][0].pop(), "cells"),
])
def test_content_problems_are_found(mutate, expected):
    data = copy.deepcopy(takehome.read_content())
    mutate(data)
    assert any(expected in p for p in takehome.content_problems(data))


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_six_documents_each_a_draft_for_the_lawyers_citing_its_law(packs, lang):
    pack = packs[lang]
    assert [d.id for d in pack] == list(takehome.DOCUMENTS)
    assert len({d.file_stem for d in pack}) == 6
    words = "region's own lawyers" if lang == "en" else "regionens egna jurister"
    for doc in pack:
        md = doc.markdown()
        assert words in md.split("\n## ")[0], doc.id
        law = md.split(f"## {takehome.load_content()['common']['law'][lang]}")[1]
        assert law.count("\n- ") >= 5, doc.id
        assert T[lang]["fill"] in md, doc.id  # fill-in fields for the region's facts


def test_the_documents_cite_the_law_the_brief_names(packs):
    text = {d.id: d.markdown() for d in packs["sv"]}
    assert "artikel 26.2 i dataskyddsförordningen" in text["arrangement"]
    assert "artikel 28.3 i dataskyddsförordningen" in text["processor"]
    assert "artikel 28.2 i dataskyddsförordningen" in text["processor"]
    for ref in ("25 kap. 1 § OSL", "8 kap. 1–2 §§ OSL", "25 kap. 11 § OSL", "10 kap. 27 § OSL",
                "21 kap. 7 § OSL"):
        assert ref in text["secrecy_memo"], ref
    assert "omvänt skaderekvisit" in text["secrecy_memo"]
    assert "6 kap. 37 § kommunallagen" in text["decision"]
    assert "artikel 14.5 b i dataskyddsförordningen" in text["patient_information"]
    assert "3 kap. 1 § patientlagen" in text["patient_information"]
    assert "Etikprövningsmyndigheten" in text["contacts"]


def test_answers_and_facts_fill_the_documents(packs):
    decision = next(d for d in packs["en"] if d.id == "decision").markdown()
    answer = gdpr.example_answers(lang="en")["local_models.purpose"].answer
    assert answer in decision
    memo = next(d for d in packs["en"] if d.id == "secrecy_memo").markdown()
    assert "was not measured" in memo  # the measured facts, as the DPIA draft states them
    assert "Not answered in the course yet" in memo  # centralised.disclosure is open
    assert "start_here.decision" in decision  # an open blocking decision, with its owner


@pytest.mark.parametrize("doc_id", takehome.DOCUMENTS)
def test_swedish_documents_are_swedish_and_keep_to_the_terms(packs, doc_id):
    doc = next(d for d in packs["sv"] if d.id == doc_id)
    md = doc.markdown()
    assert terms.forbidden_variants(md, doc_id) == []
    body = md.split("\n## Författningar")[0]
    assert terms.english_passages(body) == []


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_each_document_opens_in_word_with_headings_tables_and_fields(packs, lang):
    import docx
    from docx.oxml.ns import qn

    from fedlearn_kit.gdpr.docx_render import FILL_TAG

    for doc in packs[lang]:
        blocks = doc.blocks()
        word = docx.Document(io.BytesIO(doc.docx()))
        headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
        assert headings == [b[2] for b in blocks if b[0] == "h"], doc.id
        assert len(word.tables) == sum(b[0] == "table" for b in blocks), doc.id
        tags = [t.get(qn("w:val")) for t in word.element.body.iter(qn("w:tag"))]
        assert FILL_TAG in tags, doc.id


def test_cli_writes_the_pack(tmp_path, capsys):
    answers = tmp_path / "answers.json"
    gdpr.AnswerStore(answers).replace(gdpr.example_answers(lang="sv"), language="sv")
    out = tmp_path / "hem"
    assert cli.main(["takehome", "--answers", str(answers), "--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 18 and "menprovning-pm.docx" in written
    assert "(svaret är på engelska)" not in (out / "beslutsunderlag.md").read_text("utf-8")
    # the answers are Swedish, so the command speaks Swedish (docs/translating.md, rule 4)
    assert "Utkast att anpassa tillsammans med regionens jurister" in capsys.readouterr().out
    assert cli.main(["takehome", "--answers", str(answers), "--out", str(tmp_path / "en"),
                     "--lang", "en", "--format", "md"]) == 0
    assert sorted(p.suffix for p in (tmp_path / "en").iterdir()) == [".md"] * 6


def test_cli_without_an_answers_file_leaves_every_answer_to_fill_in(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FEDLEARN_ANSWERS", raising=False)
    monkeypatch.delenv("FEDLEARN_FACTS", raising=False)
    assert cli.main(["takehome", "--format", "md"]) == 0
    memo = (tmp_path / "fedlearn-takehome" / "menprovning-pm.md").read_text("utf-8")
    assert "Inte besvarat i kursen ännu" in memo
    assert cli.main(["takehome", "--answers", "missing.json", "--format", "md"]) == 2


def test_the_summary_names_the_folder_the_files_and_the_documents(packs):
    paths = [f"x/{n}" for n in range(18)]
    text = gdpr.takehome_summary("hem", packs["en"], paths)
    assert text.startswith("18 files in hem: art26-arrangement, ")
    assert text.endswith(", contact-checklist.")
    sv = gdpr.takehome_summary("hem", packs["sv"], paths)
    assert sv.startswith("18 filer i hem: art26-inbordes-arrangemang, ")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_clinician_and_the_lawyer_take_home_what_the_review_asked_for(packs, lang):
    # Nonprogrammer review, section 5: an intended-use worksheet in numbers a ward can judge
    # (the clinician), the head of the clinic and IMY's own pilot report on the contact list.
    text = {d.id: d.markdown() for d in packs[lang]}
    words = {"en": ("Intended use on the ward", "Per 100 patients discharged",
                    "What happens at a false alarm", "head of the clinic", "IMY's registry"),
             "sv": ("Avsedd användning på avdelningen", "Per 100 utskrivna patienter",
                    "Vad som händer vid ett falsklarm", "verksamhetschef",
                    "IMY:s registratur")}[lang]
    for phrase in words[:3]:
        assert phrase in text["decision"], phrase
    section = text["decision"].split(words[0])[1].split("\n## ")[0]
    assert section.count(T[lang]["fill"]) >= 6
    assert "local_models.use_purpose" in section  # the clinician's card answer is quoted
    for phrase in words[3:]:
        assert phrase in text["contacts"], phrase
    assert "imy.se/nyheter/nytt-arbetssatt-testas" in text["contacts"]
    assert "imy.se/blogg/innovationspilot" in text["contacts"]
