"""What a federated run moved between organisations, next to what stayed home (lesson 04)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from fedlearn_kit.federation.result import Result
from fedlearn_kit.schema import COLUMN_NAMES
from fedlearn_kit.training import Split


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
        raise ValueError("This Result has no message log: run it with engine='local'.")
    sent = messages[messages["direction"] == "from site"]
    metric_values = sent["metrics"].map(lambda text: len([m for m in text.split(",")
                                                          if m.strip()]))
    rows = []
    for site, split in splits.items():
        records = split.train[list(COLUMN_NAMES)]
        rows.append({"site": site, "what": "training records (stay at the site)",
                     "messages": 0, "numbers": records.size, "metric values": 0,
                     "bytes": len(records.to_csv(index=False).encode())})
        own = sent[sent["site"] == site]
        updates = own[own["type"] == "train"]
        rows.append({"site": site, "what": "one model update (a train reply)", "messages": 1,
                     "numbers": int(updates["numbers"].iloc[0]) if len(updates) else 0,
                     "metric values": int(metric_values[updates.index[0]]) if len(updates)
                     else 0,
                     "bytes": int(updates["bytes"].iloc[0]) if len(updates) else 0})
        rows.append({"site": site, "what": "every message it sent in the run",
                     "messages": len(own), "numbers": int(own["numbers"].sum()),
                     "metric values": int(metric_values[own.index].sum()),
                     "bytes": int(own["bytes"].sum())})
    return pd.DataFrame(rows).set_index(["site", "what"])
