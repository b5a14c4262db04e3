"""The demonstration check of lesson 00: how exercise feedback looks (no exercise uses it)."""

from __future__ import annotations

from fedlearn_kit.checks import Verdict, failed, is_close, passed, shown
from fedlearn_kit.cohort import Cohort
from fedlearn_kit.i18n import _, ngettext


def patients_at_site(answer: object, cohort: Cohort, site: str = "A") -> Verdict:
    """How many patients one site has: right, or the likely slip named."""
    expected = len(cohort[site])
    if is_close(answer, sum(len(df) for df in cohort.values()), 0):
        return failed(_("{answer} is the number of patients at all sites together.").format(
            answer=shown(answer)), _("count only Site {site}'s rows.").format(site=site))
    if not is_close(answer, expected, 0):
        return failed(_("{answer} is not the number of Site {site}'s patients.").format(
            answer=shown(answer), site=site), _("each row of a site's table is one patient."))
    return passed(ngettext("Site {site} has {n} patient.", "Site {site} has {n} patients.",
                           expected).format(site=site, n=expected))
