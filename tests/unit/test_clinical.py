"""What a risk score means on the ward (fedlearn_kit.clinical): counts checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fedlearn_kit import clinical
from fedlearn_kit.schema import OUTCOME_NAME

#: Ten patients, risk falling, readmitted (1) or not: the top 20 % are the first two.
Y = np.array([1, 0, 1, 1, 0, 0, 1, 0, 0, 0])
RISK = np.linspace(0.9, 0.0, 10)


def test_flag_top_takes_the_highest_risks():
    assert clinical.flag_top(RISK, 0.2).tolist() == [True, True] + [False] * 8
    assert clinical.flag_top(RISK[::-1], 0.3).sum() == 3 and clinical.flag_top(RISK[::-1],
                                                                                  0.3)[-1]
    with pytest.raises(ValueError, match="between 0 and 1"):
        clinical.flag_top(RISK, 20)


def test_alert_counts_by_hand():
    counts = clinical.alert_counts(Y, RISK, 0.4)  # flags 4 patients, 3 of them readmitted
    assert counts["flagged per 100"] == 40
    assert counts["caught per 100"] == 30 and counts["missed per 100"] == 10
    assert counts["sensitivity %"] == 75 and counts["PPV %"] == 75
    assert counts["flagged per catch"] == pytest.approx(4 / 3)
    # a model that ranks backwards catches fewer
    assert clinical.alert_counts(Y, -RISK, 0.4)["caught per 100"] == 10


class _Model:
    """A stand-in for a TrainedModel: its risk is a column of the patients."""

    def __init__(self, name, column):
        self.name, self.column = name, column

    def predict_proba(self, df):
        return df[self.column].to_numpy()


def _patients(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    risk = rng.uniform(0, 0.6, n)
    return pd.DataFrame({"good": risk, "noise": rng.uniform(0, 0.6, n),
                         OUTCOME_NAME: (rng.uniform(size=n) < risk).astype(int)})


def test_threshold_table_and_difference_tell_a_better_model_from_noise():
    df = _patients()
    good, noise = _Model("good", "good"), _Model("noise", "noise")
    table = clinical.threshold_table([good, noise], df)
    assert list(table.index.get_level_values("flagged").unique()) == ["top 10 %", "top 20 %",
                                                                     "top 30 %"]
    assert (table.loc["good", "caught per 100"] > table.loc["noise", "caught per 100"]).all()
    diff, low, high = clinical.caught_difference(good, noise, df, share=0.2, num_samples=200)
    assert low > 0 and low <= diff <= high
    same, low, high = clinical.caught_difference(good, good, df, num_samples=50)
    assert same == low == high == 0


def test_risk_band_says_whether_a_risk_means_what_it_says():
    df = _patients(20000)
    band = clinical.risk_band(_Model("good", "good"), df, 0.2, 0.3)
    assert 20 <= band["predicted %"] <= 30
    assert abs(band["readmitted %"] - band["predicted %"]) < 3  # calibrated by construction
    off = clinical.risk_band(_Model("noise", "noise"), df, 0.4, 0.6)
    assert off["readmitted %"] < off["predicted %"] - 10  # noise is not calibrated
    table = clinical.risk_bands([_Model("good", "good")], df, (0.2, 0.3, 0.4))
    row = table.loc[("good", "20-30 %")]
    assert row["readmitted % low"] < row["readmitted %"] < row["readmitted % high"]
    with pytest.raises(ValueError, match="lower first"):
        clinical.risk_band(_Model("good", "good"), df, 0.3, 0.2)


def test_readable_rounds_and_translates_the_labels_but_not_the_identifiers(monkeypatch):
    df = _patients()
    ward = clinical.threshold_table([_Model("central", "good")], df)
    bands = clinical.risk_bands([_Model("central", "good")], df, (0.2, 0.3))
    monkeypatch.setenv("FEDLEARN_LANG", "en")
    shown = clinical.readable(ward)
    assert shown.equals(ward.round(1)) and shown is not ward
    monkeypatch.setenv("FEDLEARN_LANG", "sv")
    shown = clinical.readable(ward)
    assert list(shown.index.names) == ["modell", "flaggade"]
    assert "sensitivitet %" in shown.columns and "sensitivity %" not in shown.columns
    assert shown.loc[("central", "högsta 20 %"), "flaggade per 100"] == 20.0
    assert ward.loc[("central", "top 20 %"), "flagged per 100"] == 20.0  # the code's table
    band = clinical.readable(bands, decimals=0)
    assert list(band.index.names) == ["modell", "förutsagd risk"]
    assert band.loc[("central", "20-30 %"), "återinlagda %, övre gräns"] == round(
        bands.loc[("central", "20-30 %"), "readmitted % high"])


def test_a_share_outside_0_to_1_is_refused_in_swedish(swedish):
    with pytest.raises(ValueError, match=r"^share=20: ange andelen patienter att flagga, "
                                         r"mellan 0 och 1 \(0\.2 flaggar"):
        clinical.flag_top(np.array([0.1, 0.9]), 20)
