"""The DPIA draft: Art. 35(7) and WP 248 Annex 2 sections, honest facts, the command line."""

from __future__ import annotations

import json

import pytest

import fedlearn_kit as kit
from fedlearn_kit import cli, gdpr
from fedlearn_kit.gdpr import dpia as dpia_mod
from fedlearn_kit.gdpr import terms
from fedlearn_kit.gdpr.dpia_text import SITE_DESCRIPTIONS_SV, T

FLOWS = (gdpr.DataFlow("A", "train", 1, 17, ("loss", "num-examples", "partition-id")),
         gdpr.DataFlow("A", "evaluate", 1, 0, ("loss", "auroc", "num-examples"), errors=1))
ATTACK = {"attack": "loss threshold", "model": "logistic", "membership_advantage": 0.04,
          "membership_advantage_ci": [0.01, 0.07], "null_advantage_95": 0.05,
          "best_threshold_advantage": 0.045, "advantage_p_value": 0.12,
          "attack_members": 300, "attack_non_members": 1200, "tpr_at_low_fpr": 0.01,
          "low_fpr": 0.001}
DP = {"epsilon": 1.0, "delta": 1e-5, "dp_level": "record", "adjacency": "replace-one",
      "advantage_bound": 0.46, "mechanism_advantage_bound": 0.19, "seeded_noise": True,
      "group_budgets": [[2, 2.0, 3.7e-5], [3, 3.0, 1.1e-4]],
      "dp_covers": "the weights only; metrics leave without noise"}


@pytest.fixture
def facts():
    base = gdpr.facts_from_experiment(kit.Experiment(), engine="local")
    return base.updated(data_flows=FLOWS).measured("what_leaks", **ATTACK).measured(
        "privacy_defences", **DP)


def _answers_file(tmp_path, answers):
    path = tmp_path / "answers.json"
    gdpr.AnswerStore(path).replace(answers)
    return path


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_example_answers_render_every_required_section(facts, lang):
    md = gdpr.dpia_draft(gdpr.example_answers(facts), facts, lang=lang).markdown()
    assert gdpr.missing_sections(md, lang) == []
    top = [T[lang][key] for key in dpia_mod.REQUIRED_SECTIONS]
    positions = [md.index(f"## {heading}") for heading in top]
    assert positions == sorted(positions), "sections out of the order of Art. 35(7)/WP 248"


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("key", [*dpia_mod.REQUIRED_SECTIONS, *dpia_mod.REQUIRED_SUBSECTIONS])
def test_the_section_check_fails_when_a_section_is_missing(facts, lang, key):
    md = gdpr.dpia_draft(gdpr.example_answers(facts), facts, lang=lang).markdown()
    heading = T[lang][key]
    without = "\n".join(line for line in md.splitlines()
                        if line.lstrip("#").strip() != heading)
    assert gdpr.missing_sections(without, lang) == [key]


def test_answers_land_in_their_part_and_unanswered_cards_are_open(facts):
    card = gdpr.card_by_id("federated.joint_controllers")
    answers = {card.id: gdpr.Answer(step="federated", answer="Joint, Art. 26 arrangement")}
    draft = gdpr.dpia_draft(answers, facts)
    part = draft.markdown([card.dpia])
    assert "Joint, Art. 26 arrangement" in part and card.text("question", "en") in part
    assert card not in draft.open_questions
    assert len(draft.open_questions) == len(gdpr.load_cards()) - 1
    open_part = draft.markdown(["open"])
    assert card.text("question", "en") not in open_part


def test_dpo_list_names_the_flagged_questions_without_repeating_answers(facts):
    answers = {"federated.coordinator": gdpr.Answer(step="federated", answer="LONG ANSWER",
                                                    ask_dpo=True)}
    dpo_part = gdpr.dpia_draft(answers, facts).markdown(["dpo_advice"])
    assert gdpr.card_by_id("federated.coordinator").text("question", "en") in dpo_part
    assert "LONG ANSWER" not in dpo_part


def test_an_attack_is_read_against_its_null_baseline_with_interval_and_counts(facts):
    risks = gdpr.dpia_draft({}, facts).markdown(["risks"])
    assert "0.040 (95 % interval 0.010 to 0.070)" in risks
    assert "300 members and 1200 non-members" in risks
    assert "reaches 0.050 or more 5 % of the time" in risks
    assert "best-threshold advantage, 0.045" in risks and "p = 0.12" in risks
    assert "not shown at the 5 % level" in risks and "not evidence that the model is" in risks
    assert "within what chance gives" not in risks and "did not show leakage" not in risks
    assert "above zero means" not in risks
    assert "about 1 of the 1200 non-members, too few" in risks
    # Rates are percentages, not shares that read as counts ("found 0.010 of the members").
    assert "At a false-positive rate of 0.1 % it found 1.0 % of the members" in risks


@pytest.mark.parametrize(("change", "expected"), [
    ({"advantage_p_value": 0.001}, "better than chance"),
    # The review's E05.30b: an interval reaching zero with p = 0.034 is a leak at 5 %.
    ({"membership_advantage": 0.065, "membership_advantage_ci": [-0.037, 0.165],
      "advantage_p_value": 0.034}, "better than chance"),
    ({"advantage_p_value": 0.051}, "not shown at the 5 % level"),
    ({"advantage_p_value": None}, "cannot be read as leakage or its absence"),
    ({"advantage_p_value": None, "membership_advantage_ci": [0.12, 0.28]},
     "cannot be read as leakage or its absence"),
])
def test_the_verdict_follows_the_permutation_test(change, expected):
    base = gdpr.facts_from_experiment(kit.Experiment())
    facts = base.measured("what_leaks", **{**ATTACK, **change})
    assert expected in gdpr.dpia_draft({}, facts).markdown(["risks"])
    sv = gdpr.dpia_draft({}, facts, lang="sv").markdown(["risks"])
    assert {"better than chance": "bättre än slumpen",
            "not shown at the 5 % level": "inte påvisat på 5-procentsnivån",
            "cannot be read as leakage or its absence": "inte läsas som läckage"}[expected] in sv


def test_dp_sentences_use_the_recorded_facts_and_compute_no_bound(facts):
    risks = gdpr.dpia_draft({}, facts).markdown(["risks"])
    assert "ε = 1, δ = 1e-05 at the record (one row: a hospital stay) level" in risks
    assert "one row is replaced by another and the number of rows stays the same" in risks
    assert "allows no attack an advantage above 0.460" in risks
    assert "the same training allows no attack more than 0.190" in risks
    assert "this ε would not hold for a released model" in risks
    assert "group privacy" in risks and "For 2 stays that is ε = 2 at δ = 3.7e-05." in risks
    assert "the weights only; metrics leave without noise" in risks
    no_bound = gdpr.facts_from_experiment(kit.Experiment()).measured("privacy_defences",
                                                                     epsilon=8.0)
    text = gdpr.dpia_draft({}, no_bound).markdown(["risks"])
    assert "No bound on the membership advantage was recorded" in text
    assert "e^ε" not in text
    # An accountant's ε is quoted to three figures, not with its stored digits.
    precise = gdpr.facts_from_experiment(kit.Experiment()).measured("privacy_defences",
                                                                    epsilon=8.3686)
    text = gdpr.dpia_draft({}, precise).markdown(["risks"])
    assert "ε = 8.37" in text and "8.3686" not in text


def test_without_measurements_the_draft_says_so(facts):
    bare = gdpr.facts_from_experiment(kit.Experiment())
    risks = gdpr.dpia_draft({}, bare).markdown(["risks"])
    assert "was not measured" in risks and "no formal bound" in risks
    register = gdpr.dpia_draft({}, bare).risk_register()
    assert register[0].id == "membership" and register[0].likelihood == 3
    assert register[0].likelihood_reason.startswith("not measured")


def test_risk_register_rows_have_every_column_and_follow_the_facts(facts):
    draft = gdpr.dpia_draft({}, facts)
    register = draft.risk_register()
    assert all(r.risk and r.sources and r.event and r.measures and 1 <= r.likelihood <= 4
               and 1 <= r.severity <= 4 and r.severity_reason for r in register)
    assert all(r.residual_likelihood <= r.likelihood and r.residual_severity == r.severity
               for r in register)
    assert register[0].likelihood_reason.startswith("not shown at the 5 % level")
    assert "bounds the advantage" not in register[0].likelihood_reason  # seeded noise: none
    secret = gdpr.facts_from_experiment(kit.Experiment(), engine="local").measured(
        "what_leaks", **ATTACK).measured("privacy_defences", **{**DP, "seeded_noise": False})
    reason = gdpr.dpia_draft({}, secret).risk_register()[0].likelihood_reason
    assert reason.endswith("bounds the advantage at 0.190")  # the tighter, mechanism's bound
    assert "dp" in register[0].measures
    measures = draft.markdown(["measures"])
    assert "(ε = 1, record" in measures
    assert any("partner site" in r.risk for r in register)  # two sites, federated
    three = gdpr.facts_from_experiment(kit.Experiment(num_sites=3))
    assert not any("partner site" in r.risk for r in gdpr.dpia_draft({}, three).risk_register())


def test_data_flows_come_from_the_message_log(facts):
    description = gdpr.dpia_draft({}, facts).markdown(["description"])
    assert "| A | training reply | 17 | loss, number of patients (rows) used" in description
    assert "This run sent 1." in description


def test_data_flows_from_a_real_message_log():
    import pandas as pd

    log = pd.DataFrame([
        {"site": "A", "type": "train", "direction": "to site", "numbers": 17, "metrics": "",
         "error": False},
        {"site": "A", "type": "train", "direction": "from site", "numbers": 17,
         "metrics": "loss, num-examples", "config": "partition-id=0", "error": False},
        {"site": "A", "type": "train", "direction": "from site", "numbers": 0,
         "metrics": "", "config": "", "error": True},
    ])
    (flow,) = gdpr.data_flows_from_messages(log)
    assert flow == gdpr.DataFlow("A", "train", 2, 17, ("loss", "num-examples", "partition-id"),
                                 errors=1)


def test_training_and_use_are_separate_phases_in_the_example():
    answers = gdpr.example_answers()
    assert "första stycket 3" in answers["local_models.purpose"].answer
    assert "första stycket 1" in answers["local_models.use_purpose"].answer
    description = gdpr.dpia_draft(answers, gdpr.default_facts()).markdown(["description"])
    train_row = next(line for line in description.splitlines()
                     if line.startswith("| training (developing the model)"))
    use_row = next(line for line in description.splitlines()
                   if line.startswith("| use (scores for patients in care)"))
    assert "first paragraph point 3" in train_row and "quality work" in train_row
    assert "care of the individual patient" in use_row
    quoted = [line for line in description.splitlines()
              if line.startswith("The project's answer to the card")]
    assert len(quoted) == 2 and "första stycket 3" in quoted[0]


def test_example_answer_about_the_attack_matches_the_facts(facts):
    bare = gdpr.facts_from_experiment(kit.Experiment())
    assert gdpr.example_answers(bare)["what_leaks.membership_tpr"].answer.startswith("Not "
                                                                                     "measured")
    assert gdpr.example_answers(facts)["what_leaks.membership_tpr"].answer.startswith(
        "Measured")


def test_example_answers_name_existing_cards():
    ids = {c.id for c in gdpr.load_cards()}
    assert set(gdpr.example_answers()) <= ids


def test_controller_is_the_board_not_the_region():
    answer = gdpr.example_answers()["start_here.controller"].answer
    assert "board" in answer and "PDL 2 kap. 6 §" in answer


def test_swedish_draft_is_swedish_throughout(facts):
    md = gdpr.dpia_draft(gdpr.example_answers(facts, lang="sv"), facts, lang="sv").markdown()
    assert md.startswith("# Konsekvensbedömning")
    assert gdpr.card_by_id("centralised.disclosure").text("question", "sv") in md
    for english in ("County hospital", "fedavg,", "engine", "local engine", "not given",
                    "loss threshold", "Law:", "GDPR Art. 35", "metrics leave"):
        assert english not in md, english
    assert "Länssjukhus" in md and "federerad medelvärdesbildning" in md
    assert "0,040" in md and "Lagrum:" in md
    assert "artikel 35.7 a i dataskyddsförordningen" in md and "GDPR artikel" not in md


def test_every_site_preset_has_a_swedish_description():
    from fedlearn_kit.sites import default_sites

    for site in default_sites(8):
        assert site.description in SITE_DESCRIPTIONS_SV, site.description


def test_law_as_of_and_not_legal_advice_in_both_languages(facts):
    for lang, words in (("en", ("Teaching material, not legal advice", "Law as of")),
                        ("sv", ("inte juridisk rådgivning", "Rättsläge per"))):
        draft = gdpr.dpia_draft({}, facts, lang=lang)
        head = draft.markdown().split("## ")[0]
        assert all(w in head for w in words) and draft.law_as_of in head


def test_orphan_answers_are_kept(facts):
    answers = {"old.card": gdpr.Answer(step="old", answer="still mine")}
    assert "still mine" in gdpr.dpia_draft(answers, facts).markdown()


def test_draft_is_deterministic(facts):
    answers = gdpr.example_answers(facts)
    assert gdpr.dpia_draft(answers, facts).markdown() == gdpr.dpia_draft(answers,
                                                                         facts).markdown()


def test_html_escapes_the_learners_text(facts):
    answers = {"start_here.roles": gdpr.Answer(step="start_here", answer="<script>x</script>")}
    page = gdpr.dpia_draft(answers, facts).html()
    assert page.startswith("<!DOCTYPE html>") and "<script>" not in page
    assert "&lt;script&gt;" in page


def test_a_facts_file_of_two_lessons_feeds_the_draft(tmp_path):
    path = tmp_path / "fedlearn-facts.json"
    gdpr.record_facts("what_leaks", kit.Experiment(), path=path, **ATTACK)
    gdpr.record_facts("privacy_defences", kit.Experiment(epochs=30), path=path, **DP)
    md = gdpr.dpia_draft({}, path).markdown(["risks"])
    assert "Lesson 05: a loss threshold attack" in md and "Lesson 06: differential" in md


def test_cli_uses_the_saved_facts_file_or_the_course_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FEDLEARN_FACTS", raising=False)
    answers = _answers_file(tmp_path, gdpr.example_answers())
    assert cli.main(["dpia", "--answers", str(answers), "--no-flows", "--out", "d.md"]) == 0
    assert "course's default experiment" in capsys.readouterr().out
    text = (tmp_path / "d.md").read_text("utf-8")
    assert "| sites | not given" not in text and "A (300)" in text
    assert "each site can compute the other's update" in text
    gdpr.record_facts("what_leaks", kit.Experiment(), **ATTACK)
    assert cli.main(["dpia", "--answers", str(answers), "--no-flows", "--out", "d.md"]) == 0
    assert "(what_leaks)" in capsys.readouterr().out
    assert "300 members" in (tmp_path / "d.md").read_text("utf-8")


def test_cli_lists_data_flows_from_a_run(tmp_path, capsys):
    answers = _answers_file(tmp_path, gdpr.example_answers())
    facts_file = tmp_path / "f.json"
    gdpr.record_facts("what_leaks", kit.Experiment(), path=facts_file, **ATTACK)
    assert cli.main(["dpia", "--answers", str(answers), "--facts", str(facts_file),
                     "--out", str(tmp_path / "d.md")]) == 0
    text = (tmp_path / "d.md").read_text("utf-8")
    assert "| B | training reply | 17 |" in text and "number of patients" in text


def test_cli_refuses_facts_of_mixed_experiments(tmp_path, capsys):
    answers = _answers_file(tmp_path, {})
    facts_file = tmp_path / "f.json"
    gdpr.record_facts("what_leaks", kit.Experiment(), path=facts_file, membership_advantage=0.1)
    gdpr.record_facts("privacy_defences", kit.Experiment(), path=facts_file, epsilon=1.0)
    data = json.loads(facts_file.read_text("utf-8"))
    data["sections"]["privacy_defences"]["fingerprint"] = "ffffffffffff"
    facts_file.write_text(json.dumps(data), "utf-8")
    assert cli.main(["dpia", "--answers", str(answers), "--facts", str(facts_file),
                     "--no-flows", "--out", str(tmp_path / "d.md")]) == 2
    assert "mixes facts of different experiments" in capsys.readouterr().err


def test_cli_writes_markdown_html_and_swedish(tmp_path, facts, capsys):
    answers = _answers_file(tmp_path, gdpr.example_answers(facts))
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(json.dumps(facts.as_dict()), encoding="utf-8")
    for name, lang in (("dpia.md", "en"), ("dpia.html", "en"), ("kb.md", "sv")):
        assert cli.main(["dpia", "--answers", str(answers), "--facts", str(facts_file),
                         "--lang", lang, "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "dpia.md").read_text("utf-8").startswith("# Data protection impact")
    assert "<h2>1. Systematic description" in (tmp_path / "dpia.html").read_text("utf-8")
    assert (tmp_path / "kb.md").read_text("utf-8").startswith("# Konsekvensbedömning")


def test_cli_help_points_to_the_guide(capsys):
    with pytest.raises(SystemExit):
        cli.main(["dpia", "--help"])
    assert "docs/dpia.md" in capsys.readouterr().out


def test_cli_refuses_a_malformed_answers_file_and_keeps_it(tmp_path, capsys):
    answers = tmp_path / "answers.json"
    answers.write_text('{"format": "fedlearn-kit answers", "answers": {', "utf-8")
    code = cli.main(["dpia", "--answers", str(answers), "--no-flows",
                     "--out", str(tmp_path / "d.md")])
    assert code == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert answers.read_text("utf-8") == '{"format": "fedlearn-kit answers", "answers": {'
    assert not (tmp_path / "d.md").exists()


def test_cli_errors_on_missing_answers_and_unknown_suffix(tmp_path, capsys):
    assert cli.main(["dpia", "--answers", str(tmp_path / "none.json"),
                     "--out", str(tmp_path / "d.md")]) == 2
    assert "no answers file" in capsys.readouterr().err
    answers = _answers_file(tmp_path, {})
    assert cli.main(["dpia", "--answers", str(answers), "--no-flows",
                     "--out", str(tmp_path / "d.pdf")]) == 2
    assert ".md" in capsys.readouterr().err


@pytest.mark.parametrize(("ref", "swedish"), [
    ("GDPR Art. 35(7)(a)", "artikel 35.7 a i dataskyddsförordningen"),
    ("GDPR Art. 12–22", "artiklarna 12–22 i dataskyddsförordningen"),
    ("AI Act Art. 6(1)", "artikel 6.1 i AI-förordningen"),
    ("GDPR Recital 26", "skäl 26 i dataskyddsförordningen"),
    ("AI Act Annex III", "bilaga III till AI-förordningen"),
    ("OSL 25 kap. 1 §", "25 kap. 1 § OSL"),
    ("PDL 2 kap. 4 §", "2 kap. 4 § PDL"),
    ("PL 3 kap. 1 §", "3 kap. 1 § patientlagen"),
    ("CJEU C-40/17", "EU-domstolens dom i mål C-40/17"),
])
def test_swedish_law_references(ref, swedish):
    assert dpia_mod.law_in(ref, "sv") == swedish
    assert dpia_mod.law_in(ref, "en") == ref


def test_every_checkpoint_has_a_swedish_text():
    from fedlearn_kit.gdpr.dpia_text import CHECKPOINTS_SV

    for point in gdpr.checkpoints():
        assert CHECKPOINTS_SV[point.reference][:2] == (point.question, point.when), (
            f"{point.reference}: the English changed; update its Swedish in dpia_text.py")


def test_roles_are_shown_with_open_questions(facts):
    draft = gdpr.dpia_draft({}, facts, lang="sv")
    blocking = {c.id for c, _ in draft.blocking_questions}
    card = next(c for c in gdpr.load_cards() if c.id not in blocking)
    open_part = draft.markdown(["open"])
    assert f"Vem svarar: {', '.join(card.role_labels('sv'))}" in open_part


def test_blocking_decisions_come_first_with_their_owner(facts):
    draft = gdpr.dpia_draft({}, facts)
    blocking = draft.blocking_questions
    assert [c.id for c, _ in blocking][:2] == ["start_here.controller", "start_here.decision"]
    open_part = draft.markdown(["open"])
    first = open_part.index("Decisions that block the rest")
    assert first < open_part.index("Other open questions")
    assert "1. " + blocking[0][0].text("question", "en") in open_part
    assert "owner: lawyer · start_here.controller" in open_part
    # a blocking card is listed once, not again under its lesson
    assert open_part.count(blocking[0][0].text("question", "en")) == 1
    answered = {"start_here.controller": gdpr.Answer(step="start_here", answer="the boards")}
    assert "start_here.controller" not in {c.id for c, _ in
                                           gdpr.dpia_draft(answered, facts).blocking_questions}


def test_the_drafts_own_sources_are_in_the_cards_sources_table(facts):
    from fedlearn_kit.gdpr.cards import read_cards_file
    from fedlearn_kit.gdpr.dpia_text import DPIA_SOURCE_KEYS

    table = read_cards_file()["sources"]
    assert set(DPIA_SOURCE_KEYS) <= set(table)
    sources = gdpr.dpia_draft({}, facts).markdown().split("## Sources")[1]
    for key in DPIA_SOURCE_KEYS:
        assert table[key]["url"] in sources, key


def test_a_bound_near_one_is_said_to_limit_little_and_notes_are_kept():
    facts = gdpr.facts_from_experiment(kit.Experiment()).measured(
        "privacy_defences", epsilon=8.37, delta=1e-5, advantage_bound=0.9995,
        mechanism_advantage_bound=0.59, dp_level="record",
        group_budgets=[[3, 25.1, 3.1]],
        notes=["Site-level DP (LocalDpMod): ε = 4.31 for one patient's record replaced."])
    risks = gdpr.dpia_draft({}, facts).markdown(["risks"])
    assert "up to 1.000, which on its own limits little" in risks
    assert "no attack more than 0.590" in risks  # the review's E06.38b: not "limits nothing"
    assert "a δ of 1 or more promises nothing" in risks
    assert "Note from lesson 06: Site-level DP" in risks


def test_a_privacy_budget_is_rounded_as_the_lessons_print_it() -> None:
    """The learner review read "ε = 6.31915" in lesson 08: three significant digits suffice."""
    facts = gdpr.facts_from_experiment(kit.Experiment()).measured(
        "privacy_defences", epsilon=6.319151, delta=1e-5, dp_level="record")
    draft = gdpr.dpia_draft({}, facts).markdown(["risks", "measures"])
    assert "ε = 6.32" in draft and "6.319" not in draft


def test_what_lesson_08_prints_follows_the_draft_and_its_language(facts):
    """Lesson 08's printed sentences come from the draft, in the draft's language, with its
    counts: answered, flagged, missing sections, the register's high risks by number."""
    answers = gdpr.example_answers(facts, lang="en")
    draft = gdpr.dpia_draft(answers, facts, lang="en")
    answered = sum(a.answered for a in answers.values())
    assert draft.progress() == (f"{answered} of {len(draft.cards)} cards answered, "
                                f"{len(draft.dpo_questions)} flagged for the DPO; required "
                                "sections missing: none.")
    numbers = draft._risk_numbers()
    high = [numbers[r.id] for r in draft.risk_register() if r.level in ("high", "very_high")]
    assert high and f"High before the measures: {', '.join(high)}." in draft.register_summary()
    lines = draft.blocking_summary().splitlines()
    assert len(lines) == len(draft.blocking_questions) + 1
    assert lines[0].startswith("- [lawyer] ")
    rest = len(draft.open_questions) - len(draft.blocking_questions)
    assert lines[-1].startswith(f"... and {rest} more open questions")
    assert draft.written_summary(["a.html", "a.docx"]).startswith("Your draft: a.html, a.docx. ")
    sv = gdpr.dpia_draft(gdpr.example_answers(facts, lang="sv"), facts, lang="sv")
    for text in (sv.progress(), sv.register_summary(), sv.blocking_summary(),
                 sv.written_summary(["a.html"]), gdpr.experiment_summary(facts, "sv")):
        assert not terms.looks_english(text), text
    assert "kort" in sv.progress() and "Ert utkast" in sv.written_summary(["a.html"])
    assert sv.blocking_summary().splitlines()[0].startswith("- [jurist] ")


def test_a_missing_section_is_named_in_the_progress_sentence(facts, monkeypatch):
    draft = gdpr.dpia_draft({}, facts, lang="en")
    monkeypatch.setattr(dpia_mod, "missing_sections", lambda markdown, lang: ["risks"])
    assert draft.progress().endswith(f"required sections missing: {T['en']['risks']}.")


def test_the_experiment_summary_names_the_experiment(facts):
    text = gdpr.experiment_summary(facts, "en")
    assert text.startswith(f"{len(facts.sites)} sites trained a logistic regression with "
                           "FedAvg on the local engine")
    assert f"; {len(facts.data_flows)} kinds of message left the sites." in text
    one = facts.updated(sites=facts.sites[:1], model=None)
    assert gdpr.experiment_summary(one, "en").startswith(f"1 site trained a {T['en']['not_given']}")
    with pytest.raises(ValueError):
        gdpr.experiment_summary(facts, "de")
