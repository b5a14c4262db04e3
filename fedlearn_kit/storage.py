"""Writing a cohort to disk and reading it back, with checksums (lesson 01).

Each site's CSV is what ``DataFrame.to_csv(index=False, lineterminator="\\n")`` writes (the
same bytes on every platform, so ``SHA256SUMS`` holds everywhere).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fedlearn_kit.cohort import Cohort
from fedlearn_kit.datacard import data_card
from fedlearn_kit.i18n import _
from fedlearn_kit.validation import CohortError, read_site_csv

CHECKSUM_FILE = "SHA256SUMS"
DATA_CARD_FILE = "DATA_CARD.md"


def site_filename(site: str) -> str:
    """The file name of one site's data, e.g. ``site_A.csv``."""
    return f"site_{site}.csv"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_cohort(cohort: Cohort, out_dir: str | Path) -> list[Path]:
    """Write one CSV per site, the data card and a checksum file; return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    digests = {}
    for site, df in cohort.items():
        path = out / site_filename(site)
        data = df.to_csv(index=False, lineterminator="\n").encode()
        path.write_bytes(data)
        digests[path] = hashlib.sha256(data).hexdigest()
        written.append(path)
    card = out / DATA_CARD_FILE
    card.write_text(data_card(cohort, lang="en"), encoding="utf-8")
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
        raise CohortError(_("{path}: no checksum file. Regenerate the folder with "
                            "`fedlearn-kit data`.").format(path=sums))
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
        raise CohortError(_("{folder}: no site_*.csv files. Generate them with "
                            "`fedlearn-kit data --out {folder}`.").format(folder=data_dir))
    data = {}
    for path in paths:
        df = read_site_csv(path, synthetic_test_data=synthetic_test_data)
        data[str(df["site"].iloc[0])] = df
    return Cohort(data=data)


def report_data_check(differing: list[str], same_patients: bool) -> None:
    """Print, in the course's language, what checking a data folder found (lesson 01):
    ``differing`` from :func:`verify_checksums`, ``same_patients`` from comparing the files
    with a freshly generated cohort."""
    if differing:
        print(_("Files that differ from their checksums: {files}.").format(
            files=", ".join(differing)))
    else:
        print(_("No file differs from its checksum."))
    print(_("The files hold the same patients as generated here.") if same_patients else
          _("The files do not hold the same patients as generated here."))
