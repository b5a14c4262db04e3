"""Checking a site file before anything trains on it (lesson 01).

Every problem is reported with the column or site it concerns and how to fix it. Nothing is
coerced: a value that is wrong stays wrong until the person who owns the data fixes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from fedlearn_kit.i18n import _, ngettext
from fedlearn_kit.schema import BY_NAME, COLUMN_NAMES, OUTCOME_NAME, Column

#: Smallest site that can be split into a training and a test set with both outcomes in each.
MIN_PATIENTS = 50
MIN_PER_CLASS = 10

_DIGITS = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")


class CohortError(ValueError):
    """A site file that the kit refuses to use; the message says what to fix."""


def _luhn_valid(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def looks_like_personnummer(value: object) -> bool:
    """True for 10 or 12 digits (optionally with ``-``/``+``) whose check digit is valid.

    This is the shape of a Swedish personnummer or samordningsnummer. It deliberately does
    not check the date part: a samordningsnummer adds 60 to the day, and a false alarm on a
    made-up number costs less than letting a real one through.
    """
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value) or value != int(value):
            return False
        value = int(value)
    text = str(value).strip()
    if not _DIGITS.match(text):
        return False
    digits = re.sub(r"\D", "", text)
    return _luhn_valid(digits[-10:])


def impossible_personnummer(index: int = 0) -> str:
    """A number shaped like a personnummer, with a valid check digit, that no one can have.

    The month is 13, which exists neither in a personnummer nor in a samordningsnummer
    (that one adds 60 to the day), so it is safe for tests and demonstrations.
    """
    stem = f"9913{1 + index % 28:02d}{index // 28 % 1000:03d}"
    for check in range(10):
        if _luhn_valid(stem + str(check)):
            return f"{stem[:6]}-{stem[6:]}{check}"
    raise AssertionError("unreachable: one check digit always fits")


def personnummer_columns(df: pd.DataFrame) -> dict[str, int]:
    """Columns holding values shaped like a personnummer, with how many such values each has."""
    found = {}
    for name in df.columns:
        series = df[name].dropna()
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        # Numbers below 10^9 have at most 9 digits, so they cannot be a personnummer.
        if pd.api.types.is_bool_dtype(series) or (numeric and (series.abs() < 1e9).all()):
            continue
        hits = int(series.map(looks_like_personnummer).sum())
        if hits:
            found[str(name)] = hits
    return found


def _kind_problem(col: Column, series: pd.Series) -> str | None:
    kind = col.kind
    if kind in ("id", "site", "category"):
        if not (pd.api.types.is_string_dtype(series) or series.dtype == object):
            return _("column '{column}' should hold text, but holds {dtype} values").format(
                column=col.name, dtype=series.dtype)
        return None
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        example = series.dropna().astype(str).head(1).tolist()
        if example:
            return _("column '{column}' should be numeric, but holds {dtype} values such as "
                     "{example}; fix those cells in the file").format(
                column=col.name, dtype=series.dtype, example=repr(example[0]))
        return _("column '{column}' should be numeric, but holds {dtype} values; fix those "
                 "cells in the file").format(column=col.name, dtype=series.dtype)
    if kind in ("binary", "integer") and not pd.api.types.is_integer_dtype(series):
        clean = series.dropna()
        bad = clean[clean != np.round(clean)]
        example = bad.iloc[0] if len(bad) else clean.iloc[0] if len(clean) else None
        return _("column '{column}' should hold whole numbers but holds decimals (e.g. "
                 "{example}); write whole numbers in the file").format(column=col.name,
                                                                     example=example)
    return None


def _range_problem(col: Column, series: pd.Series) -> str | None:
    if col.kind == "binary":
        bad = series[~series.isin([0, 1])]
        if len(bad):
            return ngettext("column '{column}' must be 0 or 1; {n} row is not (e.g. {example})",
                            "column '{column}' must be 0 or 1; {n} rows are not (e.g. {example})",
                            len(bad)).format(column=col.name, n=len(bad), example=bad.iloc[0])
        return None
    if col.kind == "category":
        bad = series[~series.isin(col.categories)]
        if len(bad):
            return ngettext("column '{column}' must be one of {categories}; {n} row is not "
                            "(e.g. {example})",
                            "column '{column}' must be one of {categories}; {n} rows are not "
                            "(e.g. {example})", len(bad)).format(column=col.name,
                                                categories=list(col.categories), n=len(bad),
                                                example=repr(bad.iloc[0]))
        return None
    if col.low is None or col.high is None:
        return None
    bad = series[(series < col.low) | (series > col.high)]
    if len(bad):
        unit = f" {col.unit}" if col.unit else ""  # a unit symbol, the same in every language
        return ngettext("column '{column}' has {n} value outside the plausible range {range} "
                        "(e.g. {example}); check the unit and the source system",
                        "column '{column}' has {n} values outside the plausible range {range} "
                        "(e.g. {example}); check the unit and the source system",
                        len(bad)).format(
            column=col.name, n=len(bad), range=f"{col.low:g}-{col.high:g}{unit}",
            example=bad.iloc[0])
    return None


def validate(df: pd.DataFrame, *, site: str | None = None, synthetic_test_data: bool = False,
             min_patients: int = MIN_PATIENTS) -> None:
    """Raise :class:`CohortError` listing every problem with one site's data.

    ``synthetic_test_data=True`` allows columns that look like personnummer, for test files
    whose numbers are made up; it has no other effect.
    """
    if not synthetic_test_data:
        pnr = personnummer_columns(df)
        if pnr:
            cols = ", ".join(ngettext("'{column}' ({n} value)", "'{column}' ({n} values)",
                                      n).format(column=c, n=n) for c, n in pnr.items())
            found = (ngettext(
                "site {site}: column {columns} looks like Swedish personnummer or "
                "samordningsnummer (10 or 12 digits with a valid check digit). The kit never "
                "loads real identifiers. Replace them with pseudonyms before loading; if these "
                "are made-up test numbers, pass synthetic_test_data=True (or "
                "--synthetic-test-data on the command line).",
                "site {site}: columns {columns} look like Swedish personnummer or "
                "samordningsnummer (10 or 12 digits with a valid check digit). The kit never "
                "loads real identifiers. Replace them with pseudonyms before loading; if these "
                "are made-up test numbers, pass synthetic_test_data=True (or "
                "--synthetic-test-data on the command line).", len(pnr)) if site else
                ngettext(
                "this file: column {columns} looks like Swedish personnummer or "
                "samordningsnummer (10 or 12 digits with a valid check digit). The kit never "
                "loads real identifiers. Replace them with pseudonyms before loading; if these "
                "are made-up test numbers, pass synthetic_test_data=True (or "
                "--synthetic-test-data on the command line).",
                "this file: columns {columns} look like Swedish personnummer or "
                "samordningsnummer (10 or 12 digits with a valid check digit). The kit never "
                "loads real identifiers. Replace them with pseudonyms before loading; if these "
                "are made-up test numbers, pass synthetic_test_data=True (or "
                "--synthetic-test-data on the command line).", len(pnr)))
            raise CohortError(found.format(site=repr(site), columns=cols))
    problems: list[str] = []
    missing = [c for c in COLUMN_NAMES if c not in df.columns]
    extra = [str(c) for c in df.columns if c not in COLUMN_NAMES]
    if missing:
        problems.append(ngettext(
            "missing column {columns}: add it (see the data card for its meaning) or regenerate "
            "with `fedlearn-kit data`",
            "missing columns {columns}: add them (see the data card for their meaning) or "
            "regenerate with `fedlearn-kit data`", len(missing)).format(columns=missing))
    if extra:
        problems.append(
            ngettext("unexpected column {columns}: remove it, or rename it if it is a misspelt "
                     "version of {missing}",
                     "unexpected columns {columns}: remove them, or rename them if they are "
                     "misspelt versions of {missing}", len(extra)).format(
                columns=extra, missing=missing) if missing else
            ngettext("unexpected column {columns}: remove it, or rename it if it is a misspelt "
                     "version of an expected column",
                     "unexpected columns {columns}: remove them, or rename them if they are "
                     "misspelt versions of the expected columns", len(extra)).format(
                columns=extra))
    for name in [c for c in COLUMN_NAMES if c in df.columns]:
        col, series = BY_NAME[name], df[name]
        nans = int(series.isna().sum())
        if nans:
            ids = (df.loc[series.isna(), "patient_id"].head(3).tolist()
                   if "patient_id" in df.columns else [])
            problems.append(
                ngettext("column '{column}' has {n} empty value (e.g. patient_id {ids}): fill "
                         "it from the source, or drop that patient and say so in your data card",
                         "column '{column}' has {n} empty values (e.g. patient_id {ids}): fill "
                         "them from the source, or drop those patients and say so in your data "
                         "card", nans)
                if ids else
                ngettext("column '{column}' has {n} empty value: fill it from the source, or "
                         "drop that patient and say so in your data card",
                         "column '{column}' has {n} empty values: fill them from the source, or "
                         "drop those patients and say so in your data card", nans))
            problems[-1] = problems[-1].format(column=name, n=nans, ids=ids)
            series = series.dropna()
        problem = _kind_problem(col, series) or _range_problem(col, series)
        if problem:
            problems.append(problem)
    if "site" in df.columns and df["site"].nunique() > 1:
        problems.append(_("column 'site' holds several sites {sites}: write one file per "
                          "site").format(sites=sorted(df["site"].unique())))
    if "patient_id" in df.columns:
        dupes = df["patient_id"][df["patient_id"].duplicated()]
        if len(dupes):
            problems.append(ngettext("patient_id repeats {n} time (e.g. {example}): each "
                                     "patient must appear once",
                                     "patient_id repeats {n} times (e.g. {example}): each "
                                     "patient must appear once", len(dupes)).format(n=len(dupes),
                                                         example=repr(dupes.iloc[0])))
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise CohortError((_("site {site} failed validation:\n{problems}") if site else
                           _("this file failed validation:\n{problems}")).format(
            site=repr(site), problems=listed))
    check_site_size(df, site=site, min_patients=min_patients)


def check_site_size(df: pd.DataFrame, *, site: str | None = None,
                    min_patients: int = MIN_PATIENTS, min_per_class: int = MIN_PER_CLASS) -> None:
    """Raise :class:`CohortError` if a site is too small for a train/test split."""
    n = len(df)
    if n == 0:
        message = (_("site {site} has no patients. Check that the right file was exported, or "
                     "leave the site out of the experiment.") if site else
                   _("this file has no patients. Check that the right file was exported, or "
                     "leave the site out of the experiment."))
    elif n < min_patients:
        message = (_("site {site} has {n} patients; a train/test split needs at least {min}. "
                     "Generate more (e.g. `fedlearn-kit data --patients-per-site 500`) or leave "
                     "the site out.") if site else
                   _("this file has {n} patients; a train/test split needs at least {min}. "
                     "Generate more (e.g. `fedlearn-kit data --patients-per-site 500`) or leave "
                     "the site out."))
    else:
        positives = int(df[OUTCOME_NAME].sum())
        if min(positives, n - positives) >= min_per_class:
            return
        message = (_("site {site} has {positives} readmitted and {negatives} not readmitted "
                     "patients; each group needs at least {min} for a meaningful test set. Add "
                     "patients or leave the site out.") if site else
                   _("this file has {positives} readmitted and {negatives} not readmitted "
                     "patients; each group needs at least {min} for a meaningful test set. Add "
                     "patients or leave the site out."))
        raise CohortError(message.format(site=repr(site), positives=positives,
                                         negatives=n - positives, min=min_per_class))
    raise CohortError(message.format(site=repr(site), n=n, min=min_patients))


def read_site_csv(path: str | Path, *, synthetic_test_data: bool = False,
                  min_patients: int = MIN_PATIENTS) -> pd.DataFrame:
    """Read and validate one site file; raise :class:`CohortError` with the fix if it is wrong."""
    path = Path(path)
    if not path.exists():
        raise CohortError(_("{path}: no such file. Generate data with `fedlearn-kit data --out "
                            "{folder}` or check the path.").format(path=path, folder=path.parent))
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise CohortError(_("{path}: not a readable CSV file ({error}). Export it again as "
                            "comma-separated UTF-8 text with one header row.").format(
            path=path, error=err)) from err
    site = str(df["site"].iloc[0]) if "site" in df.columns and len(df) else path.stem
    try:
        validate(df, site=site, synthetic_test_data=synthetic_test_data,
                 min_patients=min_patients)
    except CohortError as err:
        raise CohortError(f"{path}: {err}") from None
    return df
