"""What the coordinator of a federated run sees, and what it can infer from it (lessons 05, 06).

:class:`CoordinatorTap` sits between the coordinator and the kit's ClientApp and keeps a
copy of every model a site sends back: exactly what a Flower SuperLink and ServerApp
receive when secure aggregation is off. The attacks of :mod:`~fedlearn_kit.privacy.attacks`
then run on those per-round site models as well as on the global model. Lesson 06 measures
the same view with differential privacy at each site (DP-SGD, Flower's ``LocalDpMod``) and
at the coordinator (Flower's DP strategy wrapper), with the privacy budget each one spends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import numpy as np
import pandas as pd
import torch

from fedlearn_kit.cohort import Cohort
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation._flower import local_dp_noise_std
from fedlearn_kit.i18n import _, ngettext
from fedlearn_kit.privacy.accounting import HistoryEntry, budget_facts, epsilon_spent
from fedlearn_kit.privacy.attacks import loss_attack
from fedlearn_kit.privacy.defences import opacus_sample_rate
from fedlearn_kit.training import Split

if TYPE_CHECKING:  # Flower's types, for the type checker only: this module loads Flower late
    from flwr.app import ConfigRecordValues, Context, Message
    from flwr.clientapp import ClientApp
    from flwr.serverapp import Grid, ServerApp

    from fedlearn_kit.federation.faults import Mod
    from fedlearn_kit.federation.result import Result

    #: A ClientApp, a handler or what a mod is given to call next: (message, context) -> reply.
    Handler = Callable[[Message, Context], Message]
#: The metric Flower's FedAvg weighs each reply by (the app's training replies carry it).
WEIGHT_KEY = "num-examples"


@dataclass
class CoordinatorTap:
    """What the coordinator receives: every site's training reply, round by round.

    Give it to the in-process engine (``federation.run(exp, observe=tap)``): the Grid calls
    it with each message and its reply, so it sees the reply exactly as it left the site,
    after every mod (``LocalDpMod`` included), which is what the coordinator receives
    when secure aggregation is off.
    """

    updates: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, msg: Message, reply: Message, context: Context) -> None:
        from flwr.app import MessageType

        if msg.metadata.message_type == MessageType.TRAIN and not reply.has_error():
            metrics = next(iter(reply.content.metric_records.values()))
            server_round = msg.content.config_records["config"]["server-round"]
            num_examples = metrics[WEIGHT_KEY]
            assert isinstance(server_round, int) and isinstance(num_examples, int)
            self.updates.append({
                "round": server_round,
                "partition": int(context.node_config["partition-id"]),
                "num_examples": num_examples,
                "global": msg.content.array_records["arrays"].to_torch_state_dict(),
                "site": reply.content.array_records["arrays"].to_torch_state_dict()})

    def site_model(self, server_round: int, partition: int) -> dict[str, torch.Tensor]:
        """The weights one site sent back in one round."""
        for u in self.updates:
            if u["round"] == server_round and u["partition"] == partition:
                return u["site"]
        raise KeyError(f"No update of partition {partition} in round {server_round}; "
                       f"rounds recorded: {sorted({u['round'] for u in self.updates})}.")


def run_tapped(exp: Experiment, client_app: ClientApp | None = None,
               server_app: ServerApp | None = None) -> tuple[Result, CoordinatorTap]:
    """Run ``exp`` federated on the in-process engine; keep what the coordinator received.

    ``client_app`` / ``server_app``: Flower apps that replace the app folder's (e.g. its
    handlers registered with a DP mod); default: the app folder's own.
    """
    from fedlearn_kit.federation import run

    tap = CoordinatorTap()
    result = run(exp, engine="local", client_app=client_app, server_app=server_app,
                 observe=tap, progress=False)
    return result, tap


def with_mods(app: Handler, *mods: Mod) -> ClientApp:
    """``app`` with Flower ``mods`` around it, as a ClientApp (a mod wraps any callable app:
    ``mod(msg, context, app)``)."""
    from flwr.clientapp import ClientApp

    outer = ClientApp(mods=list(mods))

    def handler(msg: Message, context: Context) -> Message:
        return app(msg, context)

    outer.train()(handler)
    outer.evaluate()(handler)
    return outer


def app_handlers(*, mods: Sequence[Mod] = (), train_mods: Sequence[Mod] = ()) -> ClientApp:
    """The course app's ClientApp handlers, registered on a new ClientApp with Flower mods.

    Flower's idiom for a variant of a ClientApp: ``mods`` wrap both handlers, ``train_mods``
    the training handler only (inside ``mods``), e.g. ``LocalDpMod``.
    """
    from flwr.clientapp import ClientApp

    from fedlearn_app import client_app

    app = ClientApp(mods=list(mods))
    app.train(mods=list(train_mods))(client_app.train)
    app.evaluate()(client_app.evaluate)
    return app


def _net(exp: Experiment, state: dict[str, torch.Tensor]) -> torch.nn.Module:
    from fedlearn_kit.federation.task import new_net

    net = new_net(exp)
    net.load_state_dict(state)
    return net


def round_leakage(exp: Experiment, tap: CoordinatorTap, future: Cohort,
                  result: Result | None = None, metric: str = "advantage") -> pd.DataFrame:
    """The loss attack on each site's update and on the global model, round by round.

    Members are each site's training rows, non-members that site's future patients. The
    global model after round ``r`` is attacked with each site's members in turn; pass the
    run's ``result`` to include the final global model.

    Threat model. *Who*: the coordinator (honest but curious), or anyone who can read the
    updates in transit or at rest. *Sees*: every site's model each round, as a Flower
    SuperLink does without secure aggregation. *Needs*: candidate patients' records with
    outcomes (the loss attack); the global-model columns need only what every site sees.
    """
    from fedlearn_kit.federation.task import load_site

    if not tap.updates:
        raise ValueError("The tap recorded no updates: run the experiment through it first.")
    sites = [s.name for s in exp.sites()]
    members = {i: load_site(exp, i).train for i in range(len(sites))}
    rounds = sorted({u["round"] for u in tap.updates})
    rows = []
    for r in rounds:
        row: dict[str, float | int | str] = {"round": r}
        for u in (u for u in tap.updates if u["round"] == r):
            i = u["partition"]
            site_net = _net(exp, u["site"])
            row[f"site {sites[i]} update"] = loss_attack(
                site_net, members[i], future[sites[i]]).summary()[metric]
        rows.append(row)
    table = pd.DataFrame(rows).set_index("round")
    # The global model of round r is the model sent out in round r + 1.
    sent = {u["round"]: u["global"] for u in tap.updates}
    if result is not None:
        sent[max(rounds) + 1] = result.state_dict
    for i, site in enumerate(sites):
        values = []
        for r in rounds:
            state = sent.get(r + 1)
            values.append(float("nan") if state is None else loss_attack(
                _net(exp, state), members[i], future[site]).summary()[metric])
        table[f"global model, site {site} patients"] = values
    return table


@contextmanager
def numpy_noise(seed: int | None) -> Iterator[None]:
    """Noise from numpy's global generator (Flower's DP code uses it), the user's state kept.

    ``seed=None`` reseeds the generator from OS entropy for the block; an integer seeds it
    (the classroom switch). Either way the caller's numpy random state is restored after,
    so nothing is seeded behind the user's back.
    """
    state = np.random.get_state()  # noqa: NPY002 - Flower's DP code draws from the global RNG
    np.random.seed(seed)  # noqa: NPY002 - None: fresh OS entropy
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def drop_site_metrics(msg: Message, context: Context, call_next: Handler) -> Message:
    """A Flower mod for DP runs: replies carry counts and ε, not losses or AUROC.

    DP covers what the noise covers: the weights. A training loss or a site's AUROC and
    Brier score on its own test patients are exact functions of its patients, so a DP run
    keeps them at the site. What still leaves: the weights (noised), each site's number of
    patients (treated as public: the game is replace-one, n fixed) and its ε.
    """
    reply = call_next(msg, context)
    if reply.has_error():
        return reply
    from flwr.app import MetricRecord

    keep = (WEIGHT_KEY, EQUAL_WEIGHT_KEY, "epsilon")
    for key, record in list(reply.content.metric_records.items()):
        reply.content[key] = MetricRecord({k: v for k, v in record.items() if k in keep})
    return reply


@dataclass(frozen=True)
class SiteDPRun:
    """A federated run where every site noised its own update with Flower's ``LocalDpMod``.

    Two budgets, per site over all rounds, for two adjacencies:

    - ``epsilon_zero_out``: the site's update against *a zero update* (zero-out adjacency,
      the number of sites fixed; sensitivity C, what ``LocalDpMod(clipping_norm=C,
      sensitivity=C)`` is calibrated for). It is not a budget for a patient.
    - ``epsilon``: two datasets of the site with one patient's record replaced by another
      (replace-one, n fixed: the site's patient count leaves with every reply, so no
      relation that changes n can hold). Their clipped updates can lie 2C apart, so the
      same noise gives the larger ε. This is the figure for a patient, and the one the
      course reports.
    """

    result: Result
    tap: CoordinatorTap
    noise_multiplier: float  # noise standard deviation / clipping norm, per release
    epsilon: float  # one record replaced, the site's n fixed (sensitivity 2C), RDP
    epsilon_zero_out: float  # the site's update vs a zero update (sensitivity C)
    delta: float
    reproducible: bool = False

    @property
    def adjacency(self) -> str:
        """The adjacency of :attr:`epsilon`: one record replaced, the site's n fixed."""
        return "replace-one"


def run_site_dp(exp: Experiment, client_app: ClientApp | None = None, *, clipping_norm: float,
                epsilon_per_round: float, delta: float = 1e-5, seed: int = 0,
                reproducible: bool = False, announce: bool = True) -> SiteDPRun:
    """Site-level DP with Flower's own ``LocalDpMod``: each site clips and noises its update.

    ``LocalDpMod`` calibrates Gaussian noise with the classic one-release formula
    σ = sensitivity·sqrt(2 ln(1.25/δ))/ε at ``epsilon_per_round``, with sensitivity = the
    clipping norm C. Every site releases once per round, so the rounds compose; Opacus's
    RDP accountant gives ε over all rounds, which is less than rounds × ε per round (RDP
    composes the Gaussian mechanism more tightly than adding up). ``LocalDpMod`` draws from
    numpy's global generator: from OS entropy by default, from ``seed`` only with
    ``reproducible=True`` (the classroom switch, announced), and the caller's numpy state
    is restored either way. Losses and evaluation metrics stay at the sites
    (:func:`drop_site_metrics`).

    ``client_app``: the app's handlers with ``LocalDpMod(clipping_norm, clipping_norm,
    epsilon_per_round, delta)`` on the training handler (lesson 06 builds it in a cell);
    default: built here the same way. The ε reported is for exactly those settings.
    """
    from flwr.clientapp.mod import LocalDpMod

    from fedlearn_kit.privacy.defences import announce_classroom_noise

    if clipping_norm <= 0 or epsilon_per_round <= 0 or not 0 < delta < 1:
        raise ValueError("clipping_norm and epsilon_per_round must be > 0, 0 < delta < 1.")
    mod = LocalDpMod(clipping_norm, clipping_norm, epsilon_per_round, delta)
    # The standard deviation LocalDpMod adds, relative to the clipping norm (its
    # sensitivity), as Flower calibrates it (a contract test measures Flower's noise).
    noise_multiplier = local_dp_noise_std(clipping_norm, epsilon_per_round, delta) / clipping_norm
    if reproducible and announce:
        announce_classroom_noise()
    app = client_app or app_handlers(train_mods=[mod])
    with numpy_noise(seed if reproducible else None):
        result, tap = run_tapped(exp, with_mods(app, drop_site_metrics))
    releases = [(noise_multiplier, 1.0, exp.num_rounds)]
    any_change = [(noise_multiplier / 2, 1.0, exp.num_rounds)]  # sensitivity 2C
    return SiteDPRun(result, tap, noise_multiplier, epsilon_spent(any_change, delta),
                     epsilon_spent(releases, delta), delta, reproducible)


#: What the noise of :func:`run_record_dp` covers, as the DPIA facts record it (the DPIA has
#: its Swedish text: ``fedlearn_kit.gdpr.dpia_text.COVERS``).
RECORD_DP_COVERS = ("the weights only; losses and the sites' evaluation metrics stay at the "
                    "sites; each site's patient count leaves, so the budget is for one record "
                    "replaced")

#: Where a site keeps its DP accountant's history between rounds (in ``context.state``).
DP_STATE_KEY = "dp-accounting"


#: The budget history a site keeps between rounds: the lists ``history_to_lists`` wrote.
_Lists: TypeAlias = "Mapping[str, Sequence[float]]"


@dataclass(frozen=True)
class DPSGDTrain:
    """A ClientApp training handler: the app's ``train`` with DP-SGD (Opacus) for SGD.

    Like ``fedlearn_app.client_app.train``, but the site trains with
    :func:`fedlearn_kit.privacy.defences.dp_train` and keeps the accountant's history in
    the node's ``context.state``, so the ε it reports (metric ``epsilon``; per record, as
    Opacus accounts it: add/remove) covers every round it has trained. The reply also
    carries the site's patient count, so the budget that holds is the replace-one one
    (:func:`record_dp_budgets`). It reports no training loss: that is an exact function of
    the site's patients.
    """

    noise_multiplier: float
    max_grad_norm: float = 1.0
    delta: float = 1e-5
    reproducible: bool = False  # classroom switch: noise seeded from the public round seed
    draw: int = 0  # which classroom noise draw of that seed

    def __call__(self, msg: Message, context: Context) -> Message:
        from flwr.app import ArrayRecord, ConfigRecord, Message, MetricRecord, RecordDict

        from fedlearn_app.client_app import site_data
        from fedlearn_app.task import make_model, round_seed, to_tensors
        from fedlearn_kit.privacy.defences import (
            DPConfig,
            dp_train,
            history_from_lists,
            history_to_lists,
        )

        cfg, config = context.run_config, msg.content.config_records["config"]
        server_round, lr = config["server-round"], config["lr"]
        assert isinstance(server_round, int) and isinstance(lr, float)
        model = make_model(str(cfg["model"]), int(cfg["seed"]), int(cfg["hidden"]))
        model.load_state_dict(msg.content.array_records["arrays"].to_torch_state_dict())
        partition_id, (train_data, _test_data) = site_data(context)
        saved = context.state.config_records.get(DP_STATE_KEY)
        X, y = to_tensors(train_data)  # noqa: N806 - the kit's naming glossary
        seed = round_seed(int(cfg["seed"]), server_round, partition_id)
        run = dp_train(model, X, y, epochs=int(cfg["local-epochs"]), lr=lr,
                       batch_size=int(cfg["batch-size"]),
                       seed=seed if self.reproducible else None,
                       dp=DPConfig(self.noise_multiplier, self.max_grad_norm, self.delta),
                       history=history_from_lists(cast(_Lists, saved)) if saved else (),
                       draw=self.draw)
        # ConfigRecord is annotated with an (invariant) dict of all config values.
        lists: dict[str, ConfigRecordValues] = dict(history_to_lists(run.history))
        context.state[DP_STATE_KEY] = ConfigRecord(lists)
        metrics = MetricRecord({"epsilon": run.epsilon, WEIGHT_KEY: len(train_data)})
        return Message(content=RecordDict({
            "arrays": ArrayRecord(model.state_dict()), "metrics": metrics,
            "site": ConfigRecord({"partition-id": partition_id})}), reply_to=msg)


def run_record_dp(exp: Experiment, *, noise_multiplier: float, max_grad_norm: float = 1.0,
                  delta: float = 1e-5, reproducible: bool = False, draw: int = 0,
                  announce: bool = True) -> tuple[Result, CoordinatorTap]:
    """Run ``exp`` federated with DP-SGD inside every site's ClientApp (local engine).

    Each site's ε (metric ``epsilon``) is per record as Opacus accounts it (add/remove) and
    covers the weights; losses and evaluation metrics stay at the site
    (:func:`drop_site_metrics`). Each reply also carries the site's patient count, so only
    replace-one neighbours (n fixed) hold: :func:`record_dp_budgets` gives that budget. The
    ε Flower's FedAvg averages over the sites (the ``all`` row) is removed from the history
    (:func:`without_averaged_epsilon`). The noise is secret unless ``reproducible=True``
    (classroom switch, announced unless ``announce=False``); ``draw`` numbers the classroom
    noise draws of one seed.
    """
    from fedlearn_kit.privacy.defences import announce_classroom_noise

    if reproducible and announce:
        announce_classroom_noise()
    from flwr.clientapp import ClientApp

    from fedlearn_app import client_app

    app = ClientApp(mods=[drop_site_metrics])
    app.train()(DPSGDTrain(noise_multiplier, max_grad_norm, delta, reproducible, draw))
    app.evaluate()(client_app.evaluate)
    result, tap = run_tapped(exp, app)
    return without_averaged_epsilon(result), tap


def without_averaged_epsilon(result: Result) -> Result:
    """Blank the ε that Flower's FedAvg averaged over the sites (a run's ``all`` rows).

    FedAvg averages every metric of the replies, weighted by patients; an average of the
    sites' ε is no ε: it guarantees nothing to anyone. Each site's own ε is what holds, for
    that site's patients. ``result.history`` is changed in place; ``result`` is returned.
    """
    history = result.history
    if "epsilon" in history.columns:
        history.loc[history["site"] == "all", "epsilon"] = float("nan")
    return result


def record_dp_history(num_records: int, *, batch_size: int, local_epochs: int, rounds: int,
                      noise_multiplier: float) -> list[HistoryEntry]:
    """The accountant's history of one site of :func:`run_record_dp` after ``rounds`` rounds.

    Every round the site runs ``local_epochs`` epochs of DP-SGD at Opacus's sampling rate
    1 / ceil(n / batch_size), one step per expected batch, with the same noise multiplier,
    so the history is one entry (what Opacus's accountant keeps: equal steps merge). Nothing
    here depends on a patient beyond n, which the site's replies carry anyway.
    """
    if num_records < 1 or not 1 <= batch_size <= num_records:
        raise ValueError(f"num_records={num_records}, batch_size={batch_size}: need "
                         "1 <= batch_size <= num_records (dp_train refuses a larger batch).")
    if local_epochs < 1 or rounds < 0:
        raise ValueError(f"local_epochs={local_epochs}, rounds={rounds}: need >= 1 and >= 0.")
    if noise_multiplier <= 0:
        raise ValueError(f"noise_multiplier={noise_multiplier}: must be > 0.")
    rate = opacus_sample_rate(num_records, batch_size)
    # The secure Poisson sampler takes int(1 / rate) steps per epoch, as Opacus's does.
    return [(float(noise_multiplier), rate, rounds * local_epochs * int(1 / rate))]


def record_dp_budgets(exp: Experiment, splits: dict[str, Split], *, noise_multiplier: float,
                      delta: float = 1e-5) -> pd.DataFrame:
    """Per site, the budget of :func:`run_record_dp` after all rounds, for both neighbours.

    ``epsilon_add_remove`` is Opacus's figure (one record in or out), the one each site
    reports. Each reply carries the site's patient count, and n and n + 1 are told apart
    with certainty, so only replace-one neighbours (one record replaced, n fixed) can hold:
    ``epsilon_replace_one`` is accounted for them directly with the PLD, ``advantage_bound``
    is what that (ε, δ) pair bounds, and ``mechanism_bound`` what the mechanism's whole
    privacy-loss distribution bounds (:func:`~fedlearn_kit.privacy.accounting.budget_facts`).
    """
    rows = []
    for site, split in splits.items():
        facts = site_budget_facts(exp, split, noise_multiplier=noise_multiplier, delta=delta)
        rows.append({"site": site, "patients": len(split.train),
                     "epsilon_add_remove": epsilon_spent(_site_history(exp, split,
                                                                       noise_multiplier), delta),
                     "epsilon_replace_one": facts["epsilon"],
                     "advantage_bound": facts["advantage_bound"],
                     "mechanism_bound": facts["mechanism_advantage_bound"]})
    return pd.DataFrame(rows).set_index("site")


def _site_history(exp: Experiment, split: Split, noise_multiplier: float) -> list[HistoryEntry]:
    return record_dp_history(len(split.train), batch_size=exp.batch_size,
                             local_epochs=exp.local_epochs, rounds=exp.num_rounds,
                             noise_multiplier=noise_multiplier)


def site_budget_facts(exp: Experiment, split: Split, *, noise_multiplier: float,
                      delta: float = 1e-5) -> dict[str, object]:
    """The DPIA's facts for one site of :func:`run_record_dp` after all rounds.

    Replace-one (n fixed), as the site's count leaves with every reply: ε accounted directly
    with the PLD, the ``adjacency``, both bounds and the group budgets
    (:func:`~fedlearn_kit.privacy.accounting.budget_facts`), ready for ``record_facts``.
    """
    return budget_facts(_site_history(exp, split, noise_multiplier), delta)


#: The metric every site sends in a central-DP run so that Flower's FedAvg weighs sites
#: equally: the noise of Flower's DP wrappers is calibrated for a uniform average.
EQUAL_WEIGHT_KEY = "equal-weight"


def equal_weight(msg: Message, context: Context, call_next: Handler) -> Message:
    """A Flower mod: add ``equal-weight = 1`` to a reply's metrics (see :func:`run_central_dp`)."""
    reply = call_next(msg, context)
    if not reply.has_error():
        from flwr.app import MetricRecord

        key, record = next(iter(reply.content.metric_records.items()))
        reply.content[key] = MetricRecord({**record, EQUAL_WEIGHT_KEY: 1})
    return reply


@dataclass(frozen=True)
class CentralDPRun:
    """A run under Flower's ``DifferentialPrivacyClientSideFixedClipping`` (central DP).

    Each site clips its update to C (Flower's ``fixedclipping_mod``); the coordinator
    averages the K clipped updates *with equal weights* and adds Gaussian noise of standard
    deviation σ·C/K. Both ε come from Flower's own accountant (``RdpAccountant``, built on
    Google's ``dp-accounting``), composed over the releases the run made:
    ``epsilon_per_site`` is Flower's figure, for one site's update replaced by a zero update
    with the number of sites K fixed (zero-out, sensitivity C/K; Flower labels its
    accountant add-or-remove, but without sampling the computation is the same, and a site
    that is really absent would change the average's denominator); ``epsilon`` is for one
    patient's record replaced by another at one site, its n fixed (two clipped updates up
    to 2C apart, so the same accountant with half the noise multiplier). The coordinator
    sees each clipped update before the noise: central DP protects what the coordinator
    *releases*, not what it receives.
    """

    result: Result
    tap: CoordinatorTap
    noise_multiplier: float
    clipping_norm: float
    epsilon: float  # one record replaced at one site, n fixed (sensitivity 2C / K)
    epsilon_per_site: float  # the site's update vs a zero update (C / K), Flower's figure
    delta: float
    releases: int  # noised aggregates the coordinator released (rounds that completed)
    reproducible: bool = False


def flower_accountant(num_sites: int, delta: float) -> Any:
    """Flower's RDP accountant for central DP with every site in every round (no sampling)."""
    from flwr.serverapp import NeighboringRelation, PrivacyConfig, RdpAccountant, SamplingMethod

    return RdpAccountant(PrivacyConfig(
        target_delta=delta, population_size=num_sites,
        neighboring_relation=NeighboringRelation.ADD_OR_REMOVE_ONE,
        sampling_method=SamplingMethod.NO_AMPLIFICATION))


def flower_epsilon(noise_multiplier: float, releases: int, num_sites: int, delta: float
                   ) -> float:
    """ε from Flower's accountant after ``releases`` Gaussian releases of every site's update."""
    from flwr.serverapp import GaussianPrivacyEvent

    accountant = flower_accountant(num_sites, delta)
    accountant.compose(GaussianPrivacyEvent(noise_multiplier=noise_multiplier,
                                            sample_size=num_sites, population_size=num_sites),
                       count=releases)
    return float(accountant.get_epsilon(delta))


def central_dp_server_app(num_sites: int, noise_multiplier: float, clipping_norm: float,
                          delta: float) -> tuple[ServerApp, list[Any]]:
    """A ServerApp: the app's rounds (``run_rounds``) with Flower's DP wrapper around FedAvg.

    FedAvg weighs every site equally (``weighted_by_key=EQUAL_WEIGHT_KEY``): the wrapper's
    noise is calibrated for a uniform average. Returns the app and a list that holds the
    wrapper of each run it served, to read Flower's accountant from (``privacy_spent()``).
    """
    from flwr.serverapp import ServerApp
    from flwr.serverapp.strategy import DifferentialPrivacyClientSideFixedClipping, FedAvg

    from fedlearn_app.server_app import run_rounds

    wrappers: list[Any] = []
    app = ServerApp()

    @app.main()
    def main(grid: Grid, context: Context) -> None:
        fedavg = FedAvg(min_train_nodes=1, min_evaluate_nodes=1, min_available_nodes=1,
                        weighted_by_key=EQUAL_WEIGHT_KEY)
        wrappers.append(DifferentialPrivacyClientSideFixedClipping(
            fedavg, noise_multiplier=noise_multiplier, clipping_norm=clipping_norm,
            num_sampled_clients=num_sites, accountant=flower_accountant(num_sites, delta)))
        run_rounds(grid, context, wrappers[-1])

    return app, wrappers


def run_central_dp(exp: Experiment, client_app: ClientApp | None = None, *, noise_multiplier: float,
                   clipping_norm: float, delta: float = 1e-5, seed: int = 0,
                   reproducible: bool = False, announce: bool = True) -> CentralDPRun:
    """Central DP with Flower's own strategy wrapper, client mod and accountant.

    Flower's wrapper calibrates its noise for a uniform average, and its accountant refuses
    any other: the kit's FedAvg weighs sites by their patients, which would give the largest
    site a larger sensitivity (its share of the average: tests/unit/test_privacy_defences.py),
    so the DP path weighs every site equally (:func:`equal_weight`). The wrapper composes
    one Gaussian release per completed round in its accountant; the run reads ε from it.
    The noise is drawn from OS entropy unless ``reproducible=True``. ``client_app``: the
    app's handlers with Flower's ``fixedclipping_mod`` on training and :func:`equal_weight`
    on both (lesson 06 builds it in a cell); default: built here the same way.
    """
    from flwr.clientapp.mod import fixedclipping_mod

    from fedlearn_kit.privacy.defences import announce_classroom_noise

    if noise_multiplier <= 0 or clipping_norm <= 0 or not 0 < delta < 1:
        raise ValueError("noise_multiplier and clipping_norm must be > 0, 0 < delta < 1.")
    server, wrappers = central_dp_server_app(exp.num_sites, noise_multiplier, clipping_norm,
                                             delta)
    if reproducible and announce:
        announce_classroom_noise()
    client = client_app or app_handlers(mods=[equal_weight], train_mods=[fixedclipping_mod])
    with numpy_noise(seed if reproducible else None):
        result, tap = run_tapped(exp, with_mods(client, drop_site_metrics), server)
    spent = wrappers[-1].privacy_spent()
    assert spent is not None  # the wrapper was given an accountant
    return CentralDPRun(result, tap, noise_multiplier, clipping_norm,
                        flower_epsilon(noise_multiplier / 2, spent.num_releases,
                                       exp.num_sites, delta),
                        float(spent.epsilon), float(spent.delta), int(spent.num_releases),
                        reproducible)


def utility_over_draws(runs: dict[str, Callable[[int], Any]], future: Cohort,
                       draws: int = 5) -> pd.DataFrame:
    """AUROC on every site's future patients of models that depend on a noise draw.

    ``runs`` maps a name to a function that trains the model for draw ``d`` (0, 1, ...) and
    returns it (a :class:`~fedlearn_kit.training.TrainedModel`, e.g. a federated result's
    ``.model()``). One row per name; per site the mean AUROC over ``draws`` draws (column
    ``A``) with the lowest and highest draw (``A low``, ``A high``), because one draw of
    the noise can land high or low.
    """
    from fedlearn_kit.evaluation import evaluate

    if draws < 1:
        raise ValueError(f"draws={draws}: train each model at least once.")
    rows = {}
    for name, train in runs.items():
        scores = pd.DataFrame([{site: evaluate(model, patients)["auroc"]
                                for site, patients in future.items()}
                               for model in (train(d) for d in range(draws))])
        row: dict[str, float] = {}
        for site in future:
            row.update({site: float(scores[site].mean()), f"{site} low": float(
                scores[site].min()), f"{site} high": float(scores[site].max())})
        rows[name] = row
    return pd.DataFrame(rows).T


def compare_leakage(exp: Experiment, runs: dict[str, tuple[Result, CoordinatorTap]],
                    future: Cohort) -> pd.DataFrame:
    """The loss attack on the last round's models, one row per run, with a blind baseline.

    ``runs`` maps a name to a run's ``(result, tap)``. Columns as in :func:`round_leakage`
    (each site's update, the global model per site's patients); the last row is what a
    blind attack reaches one time in 20 with the same numbers of members and non-members,
    so a value below it is no evidence of leakage.
    """
    from fedlearn_kit.federation.task import load_site
    from fedlearn_kit.privacy.evidence import blind_advantage_95

    table = pd.DataFrame({name: round_leakage(exp, tap, future, result).iloc[-1]
                          for name, (result, tap) in runs.items()}).T
    blind = {s.name: blind_advantage_95(len(load_site(exp, i).train), len(future[s.name]))
             for i, s in enumerate(exp.sites())}
    table.loc["blind attack, 95th percentile"] = [
        next(v for site, v in blind.items() if f"site {site} " in f"{col} ")
        for col in table.columns]
    return table


# --- what lesson 06 prints: whole sentences through _(), so a Swedish notebook prints Swedish --


def _print_two_budgets(zero_out: float, replace_one: float, delta: float) -> None:
    print("  " + _("A site's update replaced by a zero update: ε = {epsilon}.").format(
        epsilon=f"{zero_out:.2f}"))
    print("  " + _("One patient's record replaced, n fixed (updates 2C apart): ε = {epsilon} "
                   "(δ = {delta}).").format(epsilon=f"{replace_one:.2f}", delta=f"{delta:.0e}"))


def report_site_dp(run: SiteDPRun, rounds: int) -> None:
    """Print a site-level DP run's noise and its two budgets over ``rounds`` rounds: for the
    site's update against a zero update, and for one patient's record replaced."""
    print(ngettext("Noise multiplier {sigma} per round, {rounds} round:",
                   "Noise multiplier {sigma} per round, {rounds} rounds:", rounds).format(
        sigma=f"{run.noise_multiplier:.2f}", rounds=rounds))
    _print_two_budgets(run.epsilon_zero_out, run.epsilon, run.delta)


def report_central_dp(run: CentralDPRun) -> None:
    """Print a central DP run's noise, its releases and the two budgets Flower's accountant
    gives: for one site's update against a zero update, and for one patient's record
    replaced."""
    print(ngettext("Central DP, noise multiplier {sigma}, {releases} release; ε from Flower's "
                   "accountant:",
                   "Central DP, noise multiplier {sigma}, {releases} releases; ε from Flower's "
                   "accountant:", run.releases).format(sigma=str(run.noise_multiplier),
                                                       releases=run.releases))
    _print_two_budgets(run.epsilon_per_site, run.epsilon, run.delta)


def site_dp_note(run: SiteDPRun) -> str:
    """The sentence lesson 06 records in its facts about site-level DP: both ε of the run."""
    return _("Site-level DP (LocalDpMod): ε = {epsilon} for one patient's record replaced "
             "(n fixed), ε = {zero_out} for the site's update replaced by a zero update.").format(
        epsilon=f"{run.epsilon:.2f}", zero_out=f"{run.epsilon_zero_out:.2f}")


def report_facts_saved(path: Any, epsilon: float, evidence_sentence: str) -> None:
    """Print where lesson 06's facts were saved, Site A's ε for one record replaced, and
    the attack's evidence in sentences."""
    print(_("Saved to {file}: ε = {epsilon} for one record replaced. {evidence}").format(
        file=getattr(path, "name", path), epsilon=f"{epsilon:.2f}", evidence=evidence_sentence))
