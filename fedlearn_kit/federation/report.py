"""What a federated run moved between organisations, next to what stayed home (lesson 04)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import torch

from fedlearn_kit.evaluation import Difference, relabelled
from fedlearn_kit.federation.result import Result
from fedlearn_kit.i18n import N_, _, ngettext
from fedlearn_kit.schema import COLUMN_NAMES
from fedlearn_kit.training import Split

#: The rows of :func:`what_leaves` per site. The table keeps these English labels (code
#: indexes them); :func:`readable` shows them in the learner's language.
RECORDS = N_("training records (stay at the site)")
ONE_UPDATE = N_("one model update (a train reply)")
EVERY_MESSAGE = N_("every message it sent in the run")
#: The column labels of :func:`what_leaves`, translated by :func:`readable`.
COLUMN_LABELS = {"site": N_("site"), "what": N_("what"), "messages": N_("messages"),
                 "numbers": N_("numbers"), "metric values": N_("metric values"),
                 "bytes": N_("bytes")}


def what_leaves(result: Result, splits: Mapping[str, Split]) -> pd.DataFrame:
    """Per site: its training records (which stay) against the messages it sent in the run.

    ``numbers`` counts the values of the records (a patient's row is one value per column)
    or of the model arrays; ``metric values`` counts the named numbers that travel beside
    the arrays (``loss``, ``num-examples``, the evaluation metrics); ``bytes`` are the
    records as CSV and the arrays as Flower serialises them. Needs a ``local`` run, the
    engine that records every message (:meth:`Result.messages`).
    """
    messages = result.messages()
    if messages.empty:
        raise ValueError(_("This Result has no message log: run it with engine='local'."))
    sent = messages[messages["direction"] == "from site"]
    metric_values = sent["metrics"].map(lambda text: len([m for m in text.split(",")
                                                          if m.strip()]))
    rows = []
    for site, split in splits.items():
        records = split.train[list(COLUMN_NAMES)]
        rows.append({"site": site, "what": RECORDS,
                     "messages": 0, "numbers": records.size, "metric values": 0,
                     "bytes": len(records.to_csv(index=False).encode())})
        own = sent[sent["site"] == site]
        updates = own[own["type"] == "train"]
        rows.append({"site": site, "what": ONE_UPDATE, "messages": 1,
                     "numbers": int(updates["numbers"].iloc[0]) if len(updates) else 0,
                     "metric values": int(metric_values[updates.index[0]]) if len(updates)
                     else 0,
                     "bytes": int(updates["bytes"].iloc[0]) if len(updates) else 0})
        rows.append({"site": site, "what": EVERY_MESSAGE,
                     "messages": len(own), "numbers": int(own["numbers"].sum()),
                     "metric values": int(metric_values[own.index].sum()),
                     "bytes": int(own["bytes"].sum())})
    return pd.DataFrame(rows).set_index(["site", "what"])


def _label(text: str) -> str:
    if text in COLUMN_LABELS:
        return _(COLUMN_LABELS[text])
    return _(text) if text in (RECORDS, ONE_UPDATE, EVERY_MESSAGE) else text


def readable(leaves: pd.DataFrame) -> pd.DataFrame:
    """:func:`what_leaves`'s table to read: its row and column labels in the learner's
    language (the numbers unchanged; the table itself keeps its English labels for code)."""
    return relabelled(leaves, _label)


def print_gains(gains: Mapping[str, Difference], central: Mapping[str, float] | None = None,
                sizes: Mapping[str, int] | None = None) -> None:
    """One line per site: its federated gain over its own model, with its 95 % interval.

    ``gains`` is :func:`~fedlearn_kit.evaluation.gain_intervals`'s; ``central`` adds the
    central model's gain (:func:`~fedlearn_kit.evaluation.collaboration_gains`), ``sizes``
    each site's number of training patients.
    """
    for site, gain in gains.items():
        if sizes is not None:
            print(ngettext("Site {site}: {n} training patient, gain {gain}",
                           "Site {site}: {n} training patients, gain {gain}",
                           sizes[site]).format(site=site, n=sizes[site], gain=gain))
        elif central is not None:
            print(_("Site {site}: federated {gain}, central {central:+.3f} AUROC over its "
                    "own model").format(site=site, gain=gain, central=central[site]))
        else:
            print(_("Site {site}: federated {gain} AUROC over its own model").format(
                site=site, gain=gain))


def print_updates(updates: Mapping[str, tuple[Mapping[str, torch.Tensor], int]]) -> None:
    """One line per site of :func:`~fedlearn_kit.federation.task.first_round`'s updates:
    its number of training patients and the names of its model's weights."""
    for site, (state_dict, n) in updates.items():
        print(ngettext("Site {site}: {n} training patient, weights {names}",
                       "Site {site}: {n} training patients, weights {names}", n).format(
            site=site, n=n, names=list(state_dict)))
