"""The app's task applied to an Experiment: each site's data, the starting model, round 1.

The kit has no training code of its own: the model, the training loop, the train/test
split and the tests are the course app's (``app/fedlearn_app/task.py``). This module feeds
them an experiment's synthetic sites, so that what the kit computes beside a run (lesson
04's FedAvg by hand, the drift of each site's model) is what the sites compute in it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd
import torch

from fedlearn_app import task
from fedlearn_kit.cohort import generate_site
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.storage import site_filename
from fedlearn_kit.training import Split, new_net, one_torch_thread, split_site

__all__ = ["first_round", "load_site", "new_net", "pooled_test", "site_files", "site_name"]

#: A model's weights, by parameter name.
StateDict = dict[str, torch.Tensor]


def site_name(exp: Experiment, partition_id: int) -> str:
    """The name of the site a SuperNode with this ``partition-id`` stands for."""
    sites = exp.sites()
    if not 0 <= partition_id < len(sites):
        raise ValueError(
            f"partition-id={partition_id}, but the experiment has {len(sites)} site(s) "
            f"(partition-id 0 to {len(sites) - 1}).")
    return sites[partition_id].name


@lru_cache(maxsize=32)
def load_site(exp: Experiment, partition_id: int) -> Split:
    """One site's training and test patients, exactly as the app's ClientApp reads them.

    The site's rows are generated here (only this site's), split by the app's own
    ``task.split``; the app reads the same rows from the file :func:`site_files` writes.
    """
    site_name(exp, partition_id)  # a clear error for a partition the experiment lacks
    profile = exp.sites()[partition_id]
    return split_site(generate_site(profile, exp.seed, partition_id), exp.test_fraction,
                      exp.seed, partition_id)


def pooled_test(exp: Experiment) -> pd.DataFrame:
    """Every site's test patients in one frame: the course's server-side yardstick."""
    return pd.concat([load_site(exp, i).test for i in range(exp.num_sites)],
                     ignore_index=True)


@cache
def _scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="fedlearn-sites-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def site_files(exp: Experiment) -> Path:
    """A folder with one CSV file per site of ``exp`` (``site_A.csv``, ...), for the app.

    The app's ClientApp reads a site's patients from such a file: the kit writes the
    experiment's synthetic sites once per process, in a temporary folder removed at exit.
    """
    folder = _scratch() / f"{abs(hash((exp.seed, exp.sites()))):x}"
    if not (folder / "complete").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for i, profile in enumerate(exp.sites()):
            df = generate_site(profile, exp.seed, i)
            df.to_csv(folder / site_filename(profile.name), index=False)
        (folder / "complete").touch()
    return folder


def first_round(exp: Experiment, proximal_mu: float | None = None
                ) -> dict[str, tuple[StateDict, int]]:
    """Each site's model after its round-1 training, and its number of training patients.

    What every site sends back in round 1 (all start from the same global model): the
    app's training loop with the ClientApp's settings, and FedProx's penalty
    ``proximal_mu`` (default: the experiment's when its strategy is FedProx, else none).
    """
    if proximal_mu is None:
        proximal_mu = exp.proximal_mu if exp.strategy == "fedprox" else 0.0
    updates = {}
    for i, site in enumerate(s.name for s in exp.sites()):
        net, split = new_net(exp), load_site(exp, i)
        X, y = task.to_tensors(split.train)
        with one_torch_thread():
            task.train(net, X, y, epochs=exp.local_epochs, lr=exp.lr,
                       batch_size=exp.batch_size, seed=task.round_seed(exp.seed, 1, i),
                       proximal_mu=proximal_mu)
        updates[site] = ({k: v.detach().clone() for k, v in net.state_dict().items()},
                         len(split.train))
    return updates
