import pandas as pd
import pytest

import fedlearn_kit as kit
from fedlearn_kit.cli import main
from fedlearn_kit.storage import CHECKSUM_FILE


def test_committed_data_regenerates_byte_for_byte(tmp_path):
    assert kit.verify_checksums(kit.DATA_DIR) == [], "data/ was edited: run `make data`"
    main(["data", "--out", str(tmp_path)])
    for name in (CHECKSUM_FILE, "site_A.csv", "site_B.csv", "DATA_CARD.md"):
        assert (tmp_path / name).read_bytes() == (kit.DATA_DIR / name).read_bytes(), name


def test_round_trip_keeps_every_value(tmp_path, small_cohort):
    kit.write_cohort(small_cohort, tmp_path)
    loaded = kit.load_cohort(tmp_path)
    for site in small_cohort:
        pd.testing.assert_frame_equal(loaded[site], small_cohort[site], check_dtype=False)


def test_checksums_notice_an_edited_file(tmp_path, small_cohort):
    kit.write_cohort(small_cohort, tmp_path)
    path = tmp_path / "site_B.csv"
    path.write_text(path.read_text().replace(",M,", ",F,", 1))
    assert kit.verify_checksums(tmp_path) == ["site_B.csv"]


def test_data_card_documents_columns_truth_and_sites(small_cohort):
    card = kit.datacard.data_card(small_cohort)
    for name in kit.FEATURE_NAMES:
        assert f"`{name}`" in card
    assert f"{kit.TRUE_INTERCEPT:+.2f}" in card and "County hospital" in card
    assert "personnummer" in card


def test_cli_data_and_validate(tmp_path, capsys):
    assert main(["data", "--sites", "3", "--patients-per-site", "120", "--seed", "5",
                 "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("site_*.csv")) == [
        "site_A.csv", "site_B.csv", "site_C.csv"]
    assert main(["validate", *map(str, tmp_path.glob("site_*.csv"))]) == 0
    bad = tmp_path / "site_C.csv"
    df = pd.read_csv(bad)
    df.loc[0, "age"] = None
    df.to_csv(bad, index=False)
    assert main(["validate", str(bad)]) == 1
    assert "'age' has 1 empty value" in capsys.readouterr().err


def test_cli_validate_refuses_personnummer_unless_declared_test_data(tmp_path, small_cohort,
                                                                    capsys):
    df = small_cohort["A"].copy()
    df["patient_id"] = [kit.impossible_personnummer(i) for i in range(len(df))]
    path = tmp_path / "site_A.csv"
    df.to_csv(path, index=False)
    assert main(["validate", str(path)]) == 1
    assert "personnummer" in capsys.readouterr().err
    assert main(["validate", "--synthetic-test-data", str(path)]) == 0


def test_deploy_status_of_an_empty_folder_says_so_in_swedish(tmp_path, swedish, capsys):
    empty = tmp_path / "no-deployment"
    empty.mkdir()
    assert main(["deploy", "status", "--workdir", str(empty)]) == 1
    out = capsys.readouterr().out
    assert f"Inget driftsättningstillstånd i {empty.resolve()} (" in out and "saknas)." in out


def test_a_bad_option_is_refused_in_swedish_and_argparse_stays_english_after(swedish, capsys):
    import argparse

    with pytest.raises(SystemExit) as stop:
        main(["data", "--seed", "x"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("användning: fedlearn-kit data")
    assert "fedlearn-kit data: fel: argumentet --seed: ogiltigt värde av typen int: 'x'" in err
    assert "usage" not in err and "error" not in err
    other = argparse.ArgumentParser(prog="other")  # not the kit's parser: argparse unchanged
    assert other.format_help().startswith("usage: other") and "options:" in other.format_help()
