"""Attacks that measure what a model or a model update reveals about patients (lesson 05).

Every attack is a function whose docstring states its threat model: who the attacker is,
what they see and what they need. Membership attacks return an :class:`AttackResult` with
the figures research and regulators ask for: the ROC curve, its AUC, the membership
advantage (TPR - FPR at the best threshold) and the TPR at 0.1 % and 1 % FPR.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score, roc_curve
from torch import nn

from fedlearn_app.task import to_tensors
from fedlearn_kit import i18n  # i18n._: this module keeps `_` for values it does not need
from fedlearn_kit.cohort import Cohort
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.schema import FEATURES
from fedlearn_kit.training import Split, TrainedModel, fit, new_net, train

#: The false positive rates at which the course reports the true positive rate.
LOW_FPRS = (0.001, 0.01)

Model = TrainedModel | nn.Module


def _net(model: Model) -> nn.Module:
    if isinstance(model, TrainedModel):
        return model.net
    if isinstance(model, nn.Module):
        return model
    raise TypeError(f"Expected a TrainedModel or a torch nn.Module, got {type(model).__name__}.")


def _check_rows(df: pd.DataFrame, what: str) -> None:
    if not isinstance(df, pd.DataFrame) or len(df) == 0:
        raise ValueError(f"{what} must be a non-empty DataFrame of patients (got "
                         f"{type(df).__name__} with {len(df) if hasattr(df, '__len__') else 0} "
                         "rows).")


# --- what an attacker can query -------------------------------------------------------------

def logits(model: Model, df: pd.DataFrame) -> np.ndarray:
    """The model's log-odds of readmission for each patient in ``df``."""
    net = _net(model)
    X, _ = to_tensors(df)  # noqa: N806 - the kit's naming glossary
    net.eval()
    with torch.no_grad():
        return net(X).double().numpy()


def record_losses(model: Model, df: pd.DataFrame) -> np.ndarray:
    """Binary cross-entropy of each patient's true outcome under the model (lower = better fit)."""
    z = logits(model, df)
    y = df["readmitted_30d"].to_numpy(dtype=float)
    return np.logaddexp(0.0, z) - y * z  # log(1 + e^z) - y z, stable for large |z|


def confidence(model: Model, df: pd.DataFrame) -> np.ndarray:
    """Logit of the probability the model gives the *true* outcome: LiRA's statistic."""
    y = df["readmitted_30d"].to_numpy(dtype=float)
    return logits(model, df) * (2 * y - 1)


# --- results ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttackResult:
    """Scores an attack gave to members and non-members, and what they reveal.

    A higher score means "more likely a member". ``fpr``/``tpr`` is the ROC curve over every
    threshold the attacker could pick.
    """

    name: str
    member_scores: np.ndarray
    non_member_scores: np.ndarray
    fpr: np.ndarray = field(init=False, repr=False)
    tpr: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.member_scores) == 0 or len(self.non_member_scores) == 0:
            raise ValueError("An attack needs at least one member and one non-member.")
        fpr, tpr, _ = roc_curve(self.is_member, self.scores)
        object.__setattr__(self, "fpr", fpr)
        object.__setattr__(self, "tpr", tpr)

    @property
    def scores(self) -> np.ndarray:
        return np.concatenate([self.member_scores, self.non_member_scores])

    @property
    def is_member(self) -> np.ndarray:
        return np.r_[np.ones(len(self.member_scores)), np.zeros(len(self.non_member_scores))]

    @property
    def auc(self) -> float:
        """Area under the attack's ROC curve; 0.5 is guessing."""
        return float(roc_auc_score(self.is_member, self.scores))

    @property
    def advantage(self) -> float:
        """Membership advantage (Yeom et al. 2018): max over thresholds of TPR - FPR."""
        return float(np.max(self.tpr - self.fpr))

    def tpr_at(self, fpr: float) -> float:
        """The highest TPR the attack reaches while its FPR stays at or below ``fpr``."""
        if not 0 <= fpr <= 1:
            raise ValueError(f"fpr={fpr}: a false positive rate is between 0 and 1.")
        return float(self.tpr[self.fpr <= fpr].max())

    def summary(self) -> dict[str, float | int | str]:
        """The figures of the attack in one row."""
        row: dict[str, float | int | str] = {"attack": self.name, "auc": self.auc,
                                              "advantage": self.advantage}
        for f in LOW_FPRS:
            row[f"tpr@{100 * f:g}%fpr"] = self.tpr_at(f)
        row["members"], row["non_members"] = len(self.member_scores), len(self.non_member_scores)
        return row


def summarise(results: Mapping[str, AttackResult] | Sequence[AttackResult]) -> pd.DataFrame:
    """One row per attack (or per attacked model when given a mapping)."""
    items = results.items() if isinstance(results, Mapping) else (
        (i18n._(r.name), r) for r in results)  # a name the kit gave is shown translated
    table = pd.DataFrame({key: r.summary() for key, r in items}).T.drop(columns="attack")
    return table.astype({c: int if c in ("members", "non_members") else float
                         for c in table.columns})


def training_rows(splits: Mapping[str, Split]) -> pd.DataFrame:
    """Every site's training rows in one frame: the members of the central model."""
    return pd.concat([split.train for split in splits.values()], ignore_index=True)


def matching_non_members(members: pd.DataFrame, future: Cohort, ratio: float = 4.0,
                         seed: int = 0) -> pd.DataFrame:
    """Never-trained-on patients in the same site mix as ``members``, ``ratio`` per member.

    Non-members must come from the same distribution as members, or the attack would
    detect the site instead of membership.
    """
    _check_rows(members, "members")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
    parts = []
    for site, count in members["site"].value_counts(sort=False).sort_index().items():
        pool = future[site]
        n = int(round(ratio * count))
        if n > len(pool):
            raise ValueError(f"Site {site}: {n} non-members wanted but only {len(pool)} future "
                             "patients drawn; pass more to future_patients(...) or lower ratio.")
        parts.append(pool.iloc[np.sort(rng.choice(len(pool), size=n, replace=False))])
    return pd.concat(parts, ignore_index=True)


# --- membership inference ---------------------------------------------------------------------

def loss_attack(model: Model, members: pd.DataFrame, non_members: pd.DataFrame,
                name: str = "loss threshold") -> AttackResult:
    """Membership inference by loss threshold (Yeom et al. 2018): low loss means "member".

    Threat model. *Who*: anyone who can query the model with a record, e.g. a partner site
    or the coordinator holding the shared model, or a user of a deployed model. *Sees*: the
    model's predicted risk for records they submit. *Needs*: the candidate patient's
    features and true outcome; to pick a threshold, a rough idea of the model's training
    loss. The ROC sweeps every threshold, so its advantage is the best any threshold gives.
    """
    _check_rows(members, "members")
    _check_rows(non_members, "non_members")
    return AttackResult(name, -record_losses(model, members), -record_losses(model, non_members))


@dataclass
class ShadowModel(TrainedModel):
    """A shadow model: trained by the attacker, with the Experiment and the patients it used.

    Keeping the patients' ids lets a check see that the shadows were trained on the
    attacker's own data, never on the candidates LiRA then tests.
    """

    experiment: Experiment | None = None
    patient_ids: frozenset[str] = frozenset()


def shadow_models(population: pd.DataFrame, exp: Experiment, *, num_shadow: int = 8,
                  train_size: int, seed: int = 0) -> list[ShadowModel]:
    """Models the attacker trains with the target's Experiment on samples of their own data.

    Shadow ``k`` starts from the seed ``exp.seed + 1000 + k``: never the target's weights.
    """
    _check_rows(population, "The attacker's population data")
    if num_shadow < 2:
        raise ValueError(f"num_shadow={num_shadow}: LiRA needs at least 2 shadow models.")
    if not 1 <= train_size <= len(population):
        raise ValueError(f"train_size={train_size}: need 1 <= train_size <= "
                         f"{len(population)} (the population's size); draw more population "
                         "patients or train smaller shadow models.")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 5]))
    models = []
    for k in range(num_shadow):
        sample = population.iloc[np.sort(rng.choice(len(population), size=train_size,
                                                    replace=False))]
        fitted = fit(sample, exp, f"shadow {k}", seed=exp.seed + 1000 + k)
        ids = frozenset(sample["patient_id"].astype(str)) if "patient_id" in sample else frozenset()
        models.append(ShadowModel(fitted.name, fitted.net, fitted.trained_on, fitted.losses,
                                  exp, ids))
    return models


def lira_attack(model: Model, members: pd.DataFrame, non_members: pd.DataFrame,
                shadows: Sequence[Model], *, fixed_variance: bool = True,
                name: str = "LiRA (offline)") -> AttackResult:
    """Likelihood-ratio membership inference with shadow models (offline LiRA, Carlini 2022).

    For each candidate, the shadow models (trained without the candidate) show how
    confident a model trained the same way is on that patient anyway. A target model that is much
    more confident than that has probably seen the patient. The score is the standardised
    gap, a one-sided likelihood-ratio test against the "not trained on" Gaussian. With few
    shadow models ``fixed_variance`` pools the variance over candidates, as Carlini et al.
    recommend.

    Threat model. *Who*: a partner or the coordinator with the model in hand (or query
    access to its scores). *Sees*: the model's output for candidate records. *Needs*: the
    candidates' records with outcomes, data from the same population that the model was not
    trained on, the training settings (the target's Experiment: model, epochs, learning rate)
    and compute for the shadow models. Knowing the settings is realistic inside a
    federation: every site trains with them.
    """
    _check_rows(members, "members")
    _check_rows(non_members, "non_members")
    if len(shadows) < 2:
        raise ValueError(f"LiRA needs at least 2 shadow models, got {len(shadows)}.")
    candidates = pd.concat([members, non_members], ignore_index=True)
    observed = confidence(model, candidates)
    out = np.stack([confidence(s, candidates) for s in shadows])  # shadows x candidates
    mean = out.mean(axis=0)
    std = np.full_like(mean, out.std()) if fixed_variance else out.std(axis=0, ddof=1)
    z = (observed - mean) / np.maximum(std, 1e-6)
    return AttackResult(name, z[:len(members)], z[len(members):])


def describe_target(model: TrainedModel, members: pd.DataFrame,
                    non_members: pd.DataFrame) -> None:
    """Print what the attacked model is (lesson 05, section 1): how many members and
    non-members the attacks will score, its last training loss and its AUROC on the
    non-members, patients it never saw."""
    from fedlearn_kit.evaluation import evaluate  # evaluation imports the cohort, not attacks

    print(i18n._("{members} members, {non_members} non-members.").format(
        members=len(members), non_members=len(non_members)))
    print(i18n._("Training loss {loss:.3f}; AUROC on the non-members (future patients) "
                 "{auroc:.3f}.").format(loss=model.losses[-1],
                                        auroc=evaluate(model, non_members)["auroc"]))


# --- two sites, one aggregate -----------------------------------------------------------------

def recover_partner_update(aggregate: Mapping[str, np.ndarray], own: Mapping[str, np.ndarray],
                           own_examples: int, partner_examples: int) -> dict[str, np.ndarray]:
    """Recover the other site's model from a two-site FedAvg aggregate, exactly.

    FedAvg releases ``(n_own * own + n_partner * partner) / (n_own + n_partner)``. Whoever
    knows the aggregate, their own contribution and both weights solves for ``partner``.
    Secure aggregation hides each update from the coordinator, but with two sites each site
    is the "rest of the federation".

    Threat model. *Who*: one of exactly two sites (honest but curious). *Sees*: the new
    global model every round, as every participant does, and its own update. *Needs*: the
    two weights (example counts), which FedAvg's aggregated metrics or the data-sharing
    agreement usually state.
    """
    if own_examples <= 0 or partner_examples <= 0:
        raise ValueError("own_examples and partner_examples must be positive example counts.")
    if set(aggregate) != set(own):
        raise KeyError(f"The aggregate has arrays {sorted(aggregate)}, yours {sorted(own)}; "
                       "pass the same model's state dict for both.")
    total = own_examples + partner_examples
    return {k: (total * np.asarray(aggregate[k], dtype=np.float64)
                - own_examples * np.asarray(own[k], dtype=np.float64)) / partner_examples
            for k in aggregate}


def state_arrays(model: Model) -> dict[str, np.ndarray]:
    """A model's weights as numpy arrays, keyed like its state dict."""
    return {k: v.detach().cpu().numpy().copy() for k, v in _net(model).state_dict().items()}


# --- reconstructing a record from an update ---------------------------------------------------

def first_layer(model: Model) -> nn.Linear:
    """The model's first fully connected layer, where each input record enters."""
    for module in _net(model).modules():
        if isinstance(module, nn.Linear):
            return module
    raise ValueError("The model has no nn.Linear layer to reconstruct from.")


def reconstruct_record(before: Model, after: Model) -> np.ndarray:
    """Read a record back from the change of the first layer between two models.

    For one record the gradient of the first layer's row ``j`` is ``d_j * x`` and of its
    bias ``d_j``, so ``x = dW_j / db_j``. That holds for every SGD step on that record, so
    the weight change of a whole local training on one record gives ``x`` exactly, for
    logistic regression and an MLP alike. With several records it gives a weighted mix.

    Threat model. *Who*: the coordinator (or anyone who sees one site's update, e.g. a
    partner when secure aggregation is off). *Sees*: the site's model before and after local
    training. *Needs*: nothing else; no data, no shadow models.
    """
    w0, w1 = first_layer(before), first_layer(after)
    if w0.weight.shape != w1.weight.shape:
        raise ValueError("before and after must be the same architecture.")
    d_w = (w1.weight - w0.weight).detach().double().numpy()
    d_b = (w1.bias - w0.bias).detach().double().numpy()
    j = int(np.argmax(np.abs(d_b)))
    if abs(d_b[j]) == 0:
        raise ValueError("The first layer did not change: there is no update to read.")
    return d_w[j] / d_b[j]


def unscale(x: np.ndarray) -> pd.Series:
    """Scaled model inputs back in clinical units (the inverse of ``features.feature_matrix``)."""
    x = np.asarray(x, dtype=float)
    if x.shape != (len(FEATURES),):
        raise ValueError(f"Expected {len(FEATURES)} scaled features, got shape {x.shape}.")
    values: dict[str, str | float] = {}
    for col, v in zip(FEATURES, x, strict=True):
        raw = v * col.scale + col.center
        if col.kind == "category":
            values[col.name] = col.categories[0] if raw >= 0.5 else col.categories[1]
        else:
            values[col.name] = float(np.exp(raw)) if col.log else float(raw)
    return pd.Series(values, dtype=object)


def report_recovery(recovered: Mapping[str, np.ndarray], truth: Mapping[str, torch.Tensor],
                    round_number: int, *, own: str = "A", partner: str = "B",
                    tolerance: float = 1e-5) -> None:
    """Print whether Site ``own`` recovered Site ``partner``'s model of ``round_number``:
    the largest difference from the real weights (``truth``, the partner's state dict),
    against ``tolerance`` (lesson 05, section 6). A success names no difference: rounding
    error, the same on every machine only in its size, would make the output vary."""
    if set(recovered) != set(truth):
        raise KeyError(i18n._("The recovered model has arrays {recovered}, the real one "
                              "{truth}; pass the same model's state dicts.").format(
            recovered=sorted(recovered), truth=sorted(truth)))
    gap = max(float(np.max(np.abs(np.asarray(recovered[k]) - truth[k].detach().numpy())))
              for k in truth)
    values = {"own": own, "partner": partner, "round": round_number, "gap": f"{gap:.2g}",
              "tolerance": f"{tolerance:g}"}
    if gap < tolerance:
        print(i18n._("Site {own} recovered Site {partner}'s model of round {round}: every "
                     "weight within {tolerance} of the real one.").format(**values))
    else:
        print(i18n._("Site {own} did not recover Site {partner}'s model of round {round}: a "
                     "weight differs from the real one by {gap}, more than {tolerance}."
                     ).format(**values))


def side_by_side(record: pd.DataFrame, x_hat: np.ndarray) -> pd.DataFrame:
    """One patient's real record next to what was read from an update, in clinical units."""
    if len(record) != 1:
        raise ValueError(f"Pass one patient (a one-row DataFrame), got {len(record)} rows.")
    real = record.iloc[0][[col.name for col in FEATURES]]

    def show(v: object) -> str:
        return f"{round(float(v), 1) + 0.0:.1f}" if isinstance(v, int | float | np.number) \
            else str(v)

    return pd.DataFrame({i18n._("real record"): real.map(show),
                         i18n._("read from the update"): unscale(x_hat).map(show)})


def local_update(df: pd.DataFrame, *, model: str = "logistic", local_epochs: int = 1,
                 batch_size: int | None = None, lr: float = 0.1, seed: int = 0
                 ) -> tuple[nn.Module, nn.Module]:
    """One site's local training as the coordinator sees it: (global model, returned model)."""
    _check_rows(df, "The site's records")
    exp = Experiment(model=model, lr=lr)
    before, after = new_net(exp, seed), new_net(exp, seed)
    X, y = to_tensors(df)  # noqa: N806
    train(after, X, y, epochs=local_epochs, lr=lr, batch_size=batch_size or len(df), seed=seed)
    return before, after


def reconstruction_error(x_hat: np.ndarray | torch.Tensor, df: pd.DataFrame) -> float:
    """Relative distance from ``x_hat`` to the nearest record of ``df`` (0 = exact copy).

    The distance to the nearest record divided by that record's length, in the model's
    scaled units. ``x_hat`` may be a numpy array or a torch tensor.
    """
    if isinstance(x_hat, torch.Tensor):
        x_hat = x_hat.detach().double().numpy()
    x_hat = np.asarray(x_hat, dtype=float)
    X_tensor, _ = to_tensors(df)  # noqa: N806
    X = X_tensor.double().numpy()  # noqa: N806
    dist = np.linalg.norm(X - x_hat, axis=1) / np.maximum(np.linalg.norm(X, axis=1), 1e-12)
    return float(dist.min())


def reconstruction_sweep(df: pd.DataFrame, *, batch_sizes: Sequence[int] = (1, 2, 8, 32),
                         local_epochs: Sequence[int] = (1, 5), model: str = "logistic",
                         lr: float = 0.1, seed: int = 0,
                         update: Callable[..., tuple[nn.Module, nn.Module]] = local_update
                         ) -> pd.DataFrame:
    """How well a record is read back from an update, by records per update and local epochs.

    Each cell trains on ``batch_size`` patients of ``df`` (one batch, ``local_epochs``
    steps) and reports the relative error of the reconstruction to the nearest of them.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 9]))
    rows = []
    for b in batch_sizes:
        if not 1 <= b <= len(df):
            raise ValueError(f"batch size {b}: must be between 1 and {len(df)} (rows in df).")
        batch = df.iloc[np.sort(rng.choice(len(df), size=b, replace=False))]
        for e in local_epochs:
            before, after = update(batch, model=model, local_epochs=e, lr=lr, seed=seed)
            rows.append({"batch_size": b, "local_epochs": e,
                         "error": reconstruction_error(reconstruct_record(before, after), batch)})
    return pd.DataFrame(rows).pivot(index="batch_size", columns="local_epochs", values="error")
