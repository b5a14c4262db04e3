"""Writing a cohort to disk and reading it back, with checksums (lesson 01).

The CSV files are byte for byte what ``DataFrame.to_csv(index=False)`` writes, so the
checksums stay the same, but written several times faster (:func:`csv_bytes`): a cohort of
a million patients would otherwise spend most of its time in pandas' CSV writer.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from fedlearn_kit.cohort import Cohort
from fedlearn_kit.datacard import data_card
from fedlearn_kit.validation import CohortError, read_site_csv

CHECKSUM_FILE = "SHA256SUMS"
DATA_CARD_FILE = "DATA_CARD.md"


def site_filename(site: str) -> str:
    """The file name of one site's data, e.g. ``site_A.csv``."""
    return f"site_{site}.csv"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: Characters that make CSV quote a field.
_SPECIAL = (",", '"', "\n", "\r")


class _NeedsQuotingError(Exception):
    """A field needs what only pandas' writer does (quoting, dates): pandas writes it."""


def _field_table(series: pd.Series) -> tuple[list[str], np.ndarray]:
    """(texts, codes): the column as distinct texts and each row's index into them."""
    if series.dtype.kind not in "iufbO":  # dates, categories, ...: pandas' own formatting
        raise _NeedsQuotingError
    if series.dtype.kind in "iufb":
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        values = np.asarray(uniques)
        texts = values.astype(str)
        if values.dtype.kind == "f":
            texts[np.isnan(values)] = ""
        texts = texts.tolist()
    elif series.head(256).nunique() > 128:  # an id column: every value its own text
        texts = series.astype(object).where(series.notna(), "").tolist()
        codes = np.arange(len(series))
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        texts = list(uniques)
    if series.dtype.kind == "O" and (not all(type(t) is str for t in texts)
                                     or any(ch in "".join(texts) for ch in _SPECIAL)):
        raise _NeedsQuotingError
    texts.append("")  # code -1 (missing) -> an empty field, as pandas writes it
    return texts, np.where(codes < 0, len(texts) - 1, codes)


_MAX_COMBINED = 1 << 14


def _grouped(df: pd.DataFrame) -> list[tuple[list[str], np.ndarray]]:
    """Adjacent columns with few distinct values merged into one field ``"a,b,c"``."""
    out: list[tuple[list[str], np.ndarray]] = []
    group: list[tuple[list[str], np.ndarray]] = []

    def flush() -> None:
        if len(group) == 1:
            out.append(group[0])
        elif group:
            combined = np.zeros(len(df), dtype=np.int64)
            for texts, codes in group:
                combined = combined * len(texts) + codes
            codes, uniques = pd.factorize(combined)
            rest = np.asarray(uniques, dtype=np.int64)
            parts = []
            for texts, _ in reversed(group):
                rest, index = np.divmod(rest, len(texts))
                parts.append(np.asarray(texts, dtype=object)[index])
            out.append(([",".join(row) for row in zip(*reversed(parts), strict=True)], codes))
        group.clear()

    size = 1
    for name in df.columns:
        texts, codes = _field_table(df[name])
        if size * len(texts) > _MAX_COMBINED:
            flush()
            size = 1
        group.append((texts, codes))
        size *= len(texts)
    flush()
    return out


_CHUNK_ROWS = 65536


def csv_bytes(df: pd.DataFrame) -> bytes:
    """``df.to_csv(index=False, lineterminator="\\n")`` as bytes, byte for byte, faster.

    Each column is reduced to its distinct texts (formatted as pandas formats them) and
    each row's index into them; adjacent columns with few distinct values are merged into
    one field; then the rows are assembled in chunks by one gather from a pool of bytes.
    A text that CSV would have to quote (a comma, quote or line break) sends the frame to
    pandas' own writer.
    """
    header = (",".join(map(str, df.columns)) + "\n").encode()
    try:
        fields = _grouped(df)
    except _NeedsQuotingError:
        return df.to_csv(index=False, lineterminator="\n").encode()
    # One pool of bytes: every distinct text of every field, each followed by its separator.
    pieces, offsets, lengths, codes = [], [], [], []
    start = 0
    for j, (texts, field_codes) in enumerate(fields):
        end = b"\n" if j == len(fields) - 1 else b","
        encoded = [t.encode() + end for t in texts]
        size = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        offsets.append(start + np.cumsum(size) - size)
        lengths.append(size)
        pieces.append(b"".join(encoded))
        start += int(size.sum())
        codes.append(field_codes)
    pool = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    out = [header]
    for first in range(0, len(df), _CHUNK_ROWS):
        rows = slice(first, first + _CHUNK_ROWS)
        starts = np.stack([o[c[rows]] for o, c in zip(offsets, codes, strict=True)], axis=1).ravel()
        sizes = np.stack([n[c[rows]] for n, c in zip(lengths, codes, strict=True)], axis=1).ravel()
        placed = np.cumsum(sizes) - sizes  # where each field starts in this chunk's output
        index = np.repeat(starts - placed, sizes) + np.arange(int(sizes.sum()))
        out.append(pool[index].tobytes())
    return b"".join(out)


def write_cohort(cohort: Cohort, out_dir: str | Path) -> list[Path]:
    """Write one CSV per site, the data card and a checksum file; return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    digests = {}
    for site, df in cohort.items():
        path = out / site_filename(site)
        data = csv_bytes(df)
        path.write_bytes(data)
        digests[path] = hashlib.sha256(data).hexdigest()
        written.append(path)
    card = out / DATA_CARD_FILE
    card.write_text(data_card(cohort), encoding="utf-8")
    written.append(card)
    sums = out / CHECKSUM_FILE
    sums.write_text("".join(f"{digests.get(p) or _sha256(p)}  {p.name}\n" for p in written),
                    encoding="utf-8")
    return [*written, sums]


def verify_checksums(data_dir: str | Path) -> list[str]:
    """Names of files whose content no longer matches ``SHA256SUMS`` (empty when all match)."""
    data_dir = Path(data_dir)
    sums = data_dir / CHECKSUM_FILE
    if not sums.exists():
        raise CohortError(f"{sums}: no checksum file. Regenerate the folder with "
                          "`fedlearn-kit data`.")
    changed = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        path = data_dir / name
        if not path.exists() or _sha256(path) != digest:
            changed.append(name)
    return changed


def load_cohort(data_dir: str | Path, *, synthetic_test_data: bool = False) -> Cohort:
    """Read and validate every ``site_*.csv`` in a folder."""
    data_dir = Path(data_dir)
    paths = sorted(data_dir.glob("site_*.csv"))
    if not paths:
        raise CohortError(f"{data_dir}: no site_*.csv files. Generate them with "
                          f"`fedlearn-kit data --out {data_dir}`.")
    data = {}
    for path in paths:
        df = read_site_csv(path, synthetic_test_data=synthetic_test_data)
        data[str(df["site"].iloc[0])] = df
    return Cohort(data=data)
