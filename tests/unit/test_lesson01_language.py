"""What lesson 01 prints is in the course's language: the data card, the schema table, the
true effects, the data-folder check, an AUROC difference and exercise 1's feedback; the
English the kit writes to data/ stays the checksummed source."""

from __future__ import annotations

import pytest

import fedlearn_kit as kit
from fedlearn_kit import datacard, evaluation, schema, storage
from fedlearn_kit.checks import synthetic_patients


def test_the_card_written_to_data_is_english_whatever_the_session_language(swedish, tmp_path,
                                                                          small_cohort):
    kit.write_cohort(small_cohort, tmp_path / "out")
    written = (tmp_path / "out" / storage.DATA_CARD_FILE).read_text(encoding="utf-8")
    assert written == datacard.data_card(small_cohort, lang="en")
    assert written.startswith("# Data card: synthetic heart-failure readmission cohort")


def test_the_swedish_card_translates_every_heading_and_keeps_the_numbers(small_cohort):
    card = datacard.data_card(small_cohort, lang="sv")
    english = datacard.data_card(small_cohort, lang="en")
    assert card.startswith("# Datakort:")
    headings = [line for line in card.splitlines() if line.startswith("## ")]
    assert len(headings) == len(datacard.HEADINGS) == 6
    assert not set(headings) & {line for line in english.splitlines() if line.startswith("## ")}
    assert f"{kit.TRUE_INTERCEPT:+.2f}" in card and f"seed **{small_cohort.seed}**" in english
    assert "Länssjukhus" in card and "County hospital" not in card


def test_a_section_is_found_by_its_english_start_in_a_card_of_either_language(small_cohort):
    for lang, heading in (("en", "## Sites"), ("sv", "## Sjukhus")):
        card = datacard.data_card(small_cohort, lang=lang)
        found = datacard.section(card, "Sites", lang=lang)
        assert found.startswith(heading + "\n") and "| A |" in found
        assert datacard.section(card, "Why this data", lang=lang).count("\n## ") == 0
    with pytest.raises(KeyError, match="inget avsnitt 'Nowhere'"):
        datacard.section(datacard.data_card(small_cohort, lang="sv"), "Nowhere", lang="sv")


def test_true_effects_and_the_schema_table_label_rows_and_columns_in_the_language():
    assert list(datacard.true_effects("sv").index) == ["sann log-odds"]
    effects = datacard.true_effects("en").iloc[0]
    assert list(effects) == sorted(kit.TRUE_COEFFICIENTS.values())
    table = schema.schema_table("sv")
    assert list(table.columns) == ["betydelse", "enhet", "intervall", "används av modellen"]
    assert table.loc["age", "enhet"] == "år" and table.loc["age", "intervall"] == "18-105"
    assert list(table.index) == list(schema.COLUMN_NAMES)
    assert schema.schema_table("en").loc["age", "meaning"] == "Age at discharge"


def test_the_data_check_says_what_it_found(swedish, capsys):
    storage.report_data_check([], True)
    storage.report_data_check(["site_B.csv"], False)
    assert capsys.readouterr().out.splitlines() == [
        "Ingen fil skiljer sig från sin kontrollsumma.",
        "Filerna innehåller samma patienter som skapades här.",
        "Filer som skiljer sig från sina kontrollsummor: site_B.csv.",
        "Filerna innehåller inte samma patienter som skapades här."]


def test_a_difference_reads_in_the_language(swedish):
    diff = evaluation.Difference(value=-0.02, low=-0.035, high=-0.005)
    assert str(diff) == "-0.020 (95 %-intervall -0.035 till -0.005)"


def test_exercise_1_feedback_is_swedish_and_still_names_the_slip(swedish, small_cohort, capsys):
    right = {s: df["readmitted_30d"].mean() for s, df in small_cohort.items()}
    assert synthetic_patients.readmission_rates(right, small_cohort)
    assert "Rätt. Andel återinlagda" in capsys.readouterr().out
    assert not synthetic_patients.readmission_rates({s: 1 - r for s, r in right.items()},
                                                    small_cohort)
    assert "andelen patienter som inte återinlades" in capsys.readouterr().out
    assert not synthetic_patients.assay_factor(1 / 1.3, small_cohort, "B")
    out = capsys.readouterr().out
    assert "inverterade värdet av faktorn" in out and "sjukhus B:s laboratorium" in out
