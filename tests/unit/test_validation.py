import numpy as np
import pytest

import fedlearn_kit as kit
from fedlearn_kit.validation import CohortError, check_site_size, personnummer_columns

# Numbers with a valid check digit that no one can have (month 13): what the guard must catch.
VALID_SHAPE = [kit.impossible_personnummer(i) for i in (0, 5, 40)]
VALID_SHAPE += [VALID_SHAPE[0].replace("-", ""), "19" + VALID_SHAPE[1]]


@pytest.fixture()
def site_a(small_cohort):
    return small_cohort["A"].copy()


@pytest.mark.parametrize("value", VALID_SHAPE)
def test_personnummer_shapes_are_recognised(value):
    assert kit.looks_like_personnummer(value)


def test_impossible_numbers_have_month_13_and_are_all_different():
    numbers = [kit.impossible_personnummer(i) for i in range(100)]
    assert len(set(numbers)) == 100 and all(n[2:4] == "13" for n in numbers)


@pytest.mark.parametrize("value", ["9913010001", "SYN-A-000001", "12345", "", 1212121212.5,
                                   True, "121212121212121"])
def test_other_values_are_not(value):
    assert not kit.looks_like_personnummer(value)


def test_a_personnummer_column_is_refused_unless_declared_synthetic(site_a):
    site_a["patient_id"] = VALID_SHAPE[0]
    with pytest.raises(CohortError, match="personnummer.*synthetic_test_data=True"):
        kit.validate(site_a, site="A")
    site_a["patient_id"] = [f"P{i}" for i in range(len(site_a))]
    site_a["extra_pnr"] = np.int64(VALID_SHAPE[3])
    assert personnummer_columns(site_a) == {"extra_pnr": len(site_a)}
    with pytest.raises(CohortError, match="extra_pnr"):
        kit.validate(site_a)
    # Declared synthetic: the guard steps aside, the ordinary schema check still applies.
    with pytest.raises(CohortError, match="unexpected column"):
        kit.validate(site_a, synthetic_test_data=True)


def test_missing_and_extra_columns_are_named(site_a):
    broken = site_a.drop(columns=["egfr"]).rename(columns={"sodium": "natrium"})
    with pytest.raises(CohortError) as err:
        kit.validate(broken, site="A")
    message = str(err.value)
    assert "'egfr'" in message and "'sodium'" in message and "'natrium'" in message


def test_nan_is_reported_with_patient_ids(site_a):
    site_a.loc[[3, 8], "egfr"] = np.nan
    with pytest.raises(CohortError, match=r"'egfr' has 2 empty value.*SYN-A-000004"):
        kit.validate(site_a, site="A")


def test_wrong_type_and_decimals_are_not_coerced(site_a):
    text = site_a.astype({"age": object})
    text.loc[0, "age"] = "seventy"
    with pytest.raises(CohortError, match="'age' should be numeric.*'seventy'"):
        kit.validate(text)
    decimals = site_a.astype({"nyha_class": float})
    decimals.loc[0, "nyha_class"] = 2.5
    with pytest.raises(CohortError, match="'nyha_class' should hold whole numbers.*2.5"):
        kit.validate(decimals)


def test_out_of_range_values_and_bad_categories(site_a):
    site_a.loc[0, "sodium"] = 300
    site_a.loc[1, "sex"] = "X"
    site_a.loc[2, "diabetes"] = 2
    with pytest.raises(CohortError) as err:
        kit.validate(site_a)
    message = str(err.value)
    assert "'sodium'" in message and "115-155 mmol/L" in message
    assert "'sex' must be one of ['F', 'M']" in message
    assert "'diabetes' must be 0 or 1" in message


def test_duplicate_ids_and_mixed_sites(site_a):
    site_a.loc[1, "patient_id"] = site_a.loc[0, "patient_id"]
    site_a.loc[2, "site"] = "B"
    with pytest.raises(CohortError, match="(?s)several sites.*repeats 1 time"):
        kit.validate(site_a)


def test_empty_and_too_small_sites(site_a):
    with pytest.raises(CohortError, match="no patients"):
        check_site_size(site_a.iloc[:0], site="A")
    with pytest.raises(CohortError, match="has 20 patients.*at least 50"):
        kit.validate(site_a.iloc[:20], site="A")
    no_events = site_a[site_a["readmitted_30d"] == 0]
    with pytest.raises(CohortError, match="0 readmitted"):
        check_site_size(no_events, site="A")


def test_read_site_csv_names_the_file(tmp_path, site_a):
    path = tmp_path / "site_A.csv"
    site_a.drop(columns=["mra"]).to_csv(path, index=False)
    with pytest.raises(CohortError, match=r"(?s)site_A.csv.*'mra'"):
        kit.read_site_csv(path)
    with pytest.raises(CohortError, match="no such file"):
        kit.read_site_csv(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(CohortError, match="not a readable CSV"):
        kit.read_site_csv(tmp_path / "empty.csv")


def test_a_swedish_session_gets_the_problems_in_swedish_with_the_right_plural(site_a, swedish):
    site_a.loc[[3], "diabetes"] = 2
    site_a.loc[[5, 8], "sex"] = "X"
    with pytest.raises(CohortError) as err:
        kit.validate(site_a, site="A")
    message = str(err.value)
    assert "kolumnen 'diabetes' måste vara 0 eller 1; 1 rad är inte det" in message
    assert "kolumnen 'sex' måste vara något av ['F', 'M']; 2 rader är inte det" in message
    assert "row" not in message
