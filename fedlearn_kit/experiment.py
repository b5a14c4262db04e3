"""The Experiment: every knob of a run in one place, with notebook parameters mapped onto it.

It is the one description of how a model is trained: local, central and federated training
read it, and so do the privacy lessons' attacks (LiRA's shadow models copy the target's
Experiment) and DP-SGD.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from fedlearn_kit.cohort import Cohort, generate
from fedlearn_kit.i18n import _
from fedlearn_kit.sites import MAX_SITES, SiteProfile, default_sites

#: The models an experiment can train (built by the app's ``task.make_model``). Kept here
#: too, so reading an Experiment does not import torch; a test checks the two agree.
MODEL_KINDS = ("logistic", "mlp")
STRATEGIES = ("fedavg", "fedprox")


@dataclass(frozen=True)
class Experiment:
    """One experiment, from cohort to training; the same values give the same numbers.

    Notebooks keep these names in their papermill ``parameters`` cell and build the
    experiment with ``Experiment.from_parameters(globals())``.
    """

    num_sites: int = 2
    patients_per_site: int | None = None  # None: each site keeps its preset size
    model: str = "logistic"
    hidden: int = 16  # hidden units of an MLP (lesson 05 widens it to over-fit on purpose)
    epochs: int = 20  # passes over the data for local and central training
    lr: float = 0.1
    batch_size: int = 32
    num_rounds: int = 5  # federated rounds
    local_epochs: int = 2  # passes over a site's data per round
    strategy: str = "fedavg"
    proximal_mu: float = 0.0  # FedProx only
    test_fraction: float = 0.25
    seed: int = 42

    def __post_init__(self) -> None:
        checks = [
            (1 <= self.num_sites <= MAX_SITES,
             _("num_sites must be 1-{max}").format(max=MAX_SITES)),
            (self.patients_per_site is None or self.patients_per_site >= 1,
             _("patients_per_site must be at least 1 (or None for the preset sizes)")),
            (self.model in MODEL_KINDS, _("model must be one of {kinds}").format(
                kinds=MODEL_KINDS)),
            (self.hidden >= 1, _("hidden must be at least 1")),
            (self.strategy in STRATEGIES, _("strategy must be one of {strategies}").format(
                strategies=STRATEGIES)),
            (self.epochs >= 1 and self.local_epochs >= 1 and self.num_rounds >= 1,
             _("epochs, local_epochs and num_rounds must be at least 1")),
            (self.lr > 0 and self.batch_size >= 1, _("lr must be > 0 and batch_size >= 1")),
            (0 < self.test_fraction < 1, _("test_fraction must be between 0 and 1")),
            (self.proximal_mu >= 0, _("proximal_mu must be >= 0")),
        ]
        wrong = [message for ok, message in checks if not ok]
        if wrong:
            raise ValueError(_("Experiment{settings}: {problems}.").format(
                settings=self.as_dict(), problems="; ".join(wrong)))

    @classmethod
    def from_parameters(cls, params: Mapping[str, object]) -> Experiment:
        """Build from a mapping such as a notebook's ``globals()``, taking only known names."""
        names = {f.name for f in fields(cls)}
        chosen: dict[str, Any] = {k: v for k, v in params.items() if k in names}
        return cls(**chosen)

    def replace(self, **changes: Any) -> Experiment:
        """The same experiment with the named settings changed (and checked again)."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        """The experiment as plain values, e.g. for a report."""
        return asdict(self)

    def sites(self) -> tuple[SiteProfile, ...]:
        """The site profiles this experiment generates."""
        return default_sites(self.num_sites, self.patients_per_site)

    def cohort(self) -> Cohort:
        """Generate this experiment's synthetic cohort."""
        return generate(self.sites(), seed=self.seed)
