"""The DPIA draft: laid out after Art. 35(7), answers in place, open questions, CLI."""

from __future__ import annotations

import json

import pytest

import fedlearn_kit as kit
from fedlearn_kit import cli, gdpr


@pytest.fixture
def facts():
    return gdpr.facts_from_experiment(kit.Experiment(), engine="local",
                                      membership_advantage=0.05, attack="loss threshold")


def _answers_file(tmp_path, answers):
    path = tmp_path / "answers.json"
    gdpr.AnswerStore(path).replace(answers)
    return path


def test_parts_follow_article_35_7_in_order(facts):
    md = gdpr.dpia_draft({}, facts).markdown()
    positions = [md.index(f"GDPR Art. 35(7)({x})") for x in "abcd"]
    assert positions == sorted(positions)


def test_answers_land_in_their_part_and_unanswered_cards_are_open(facts):
    card = gdpr.card_by_id("federated.joint_controllers")
    answers = {card.id: gdpr.Answer(step="federated", answer="Joint, Art. 26 arrangement")}
    draft = gdpr.dpia_draft(answers, facts)
    part = draft.markdown([card.dpia])
    assert "Joint, Art. 26 arrangement" in part and card.text("question", "en") in part
    assert card not in draft.open_questions
    assert len(draft.open_questions) == len(gdpr.load_cards()) - 1
    open_part = draft.markdown().split("## 5. Open questions")[1]
    assert gdpr.card_by_id("centralised.disclosure").text("question", "en") in open_part
    assert card.text("question", "en") not in open_part


def test_every_card_is_either_answered_or_open(facts):
    answers = gdpr.example_answers()
    draft = gdpr.dpia_draft(answers, facts)
    answered = {c.id for c in draft.cards} - {c.id for c in draft.open_questions}
    assert answered == {k for k, a in answers.items() if a.answered}


def test_dpo_flags_are_listed_with_or_without_an_answer(facts):
    answers = {"privacy_defences.epsilon": gdpr.Answer(step="privacy_defences", ask_dpo=True)}
    draft = gdpr.dpia_draft(answers, facts)
    dpo_part = draft.markdown().split("## 6. Questions for our DPO")[1]
    assert gdpr.card_by_id("privacy_defences.epsilon").text("question", "en") in dpo_part


def test_facts_drive_risk_statements(facts):
    risks = gdpr.dpia_draft({}, facts).markdown(["risks"])
    assert "0.050" in risks and "two sites" in risks and "No differential privacy" in risks
    unmeasured = gdpr.dpia_draft({}, facts.updated(membership_advantage=None)).markdown()
    assert "was not measured" in unmeasured
    strong = gdpr.dpia_draft({}, facts.updated(epsilon=0.5, delta=1e-5, dp_level="site"))
    assert "e^ε − 1 = 0.65." in strong.markdown(["risks"])
    assert "no limit at all" in gdpr.dpia_draft({}, facts.updated(epsilon=8.0)).markdown()


def test_swedish_draft_uses_swedish_questions(facts):
    draft = gdpr.dpia_draft({}, facts, lang="sv")
    md = draft.markdown()
    assert md.startswith("# Konsekvensbedömning")
    assert gdpr.card_by_id("centralised.disclosure").text("question", "sv") in md


def test_orphan_answers_are_kept(facts):
    answers = {"old.card": gdpr.Answer(step="old", answer="still mine")}
    assert "still mine" in gdpr.dpia_draft(answers, facts).markdown()


def test_draft_is_deterministic(facts):
    answers = gdpr.example_answers()
    assert gdpr.dpia_draft(answers, facts).markdown() == gdpr.dpia_draft(answers,
                                                                         facts).markdown()


def test_html_escapes_the_learners_text(facts):
    answers = {"start_here.roles": gdpr.Answer(step="start_here", answer="<script>x</script>")}
    page = gdpr.dpia_draft(answers, facts).html()
    assert page.startswith("<!DOCTYPE html>") and "<script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("bad, message", [
    ({"epsilon": -1}, "epsilon must be > 0"),
    ({"delta": 1e-5}, "delta is given without epsilon"),
    ({"membership_advantage": 2}, "must be in \\[-1, 1\\]"),
    ({"dp_level": "patient"}, "dp_level must be one of"),
    ({"num_rounds": 2.5}, "whole number"),
    ({"sites": [{"patients": 3}]}, "each site must be an object"),
    ({"epsilom": 1}, "unknown key"),
])
def test_bad_facts_give_clear_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        gdpr.ExperimentFacts.from_dict(bad)


def test_facts_round_trip_through_json(tmp_path, facts):
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts.as_dict()), encoding="utf-8")
    assert gdpr.ExperimentFacts.from_json(path) == facts


def test_cli_writes_markdown_and_html(tmp_path, facts, capsys):
    answers = _answers_file(tmp_path, gdpr.example_answers())
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(json.dumps(facts.as_dict()), encoding="utf-8")
    for name in ("dpia.md", "dpia.html"):
        code = cli.main(["dpia", "--answers", str(answers), "--facts", str(facts_file),
                         "--out", str(tmp_path / name)])
        assert code == 0
    assert (tmp_path / "dpia.md").read_text("utf-8").startswith("# Data protection impact")
    assert "<h2>1. Description" in (tmp_path / "dpia.html").read_text("utf-8")
    assert "questions answered" in capsys.readouterr().out


def test_cli_writes_swedish(tmp_path):
    answers = _answers_file(tmp_path, gdpr.example_answers())
    assert cli.main(["dpia", "--answers", str(answers), "--lang", "sv",
                     "--out", str(tmp_path / "kb.md")]) == 0
    text = (tmp_path / "kb.md").read_text("utf-8")
    assert text.startswith("# Konsekvensbedömning") and "Syntetisk hjärtsviktskohort" in text


def test_cli_refuses_a_malformed_answers_file_and_keeps_it(tmp_path, capsys):
    answers = tmp_path / "answers.json"
    answers.write_text('{"format": "fedlearn-kit answers", "answers": {', "utf-8")
    code = cli.main(["dpia", "--answers", str(answers), "--out", str(tmp_path / "d.md")])
    assert code == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert answers.read_text("utf-8") == '{"format": "fedlearn-kit answers", "answers": {'
    assert not (tmp_path / "d.md").exists()


def test_cli_errors_on_missing_answers_and_unknown_suffix(tmp_path, capsys):
    assert cli.main(["dpia", "--answers", str(tmp_path / "none.json"),
                     "--out", str(tmp_path / "d.md")]) == 2
    assert "no answers file" in capsys.readouterr().err
    answers = _answers_file(tmp_path, {})
    assert cli.main(["dpia", "--answers", str(answers), "--out", str(tmp_path / "d.pdf")]) == 2
    assert ".md" in capsys.readouterr().err


def test_checkpoints_are_well_formed():
    points = gdpr.checkpoints()
    assert {p.regulation for p in points} == {"AI Act", "MDR", "EHDS"}
    table = gdpr.checkpoints_markdown()
    assert table.count("\n") == len(points) + 2
