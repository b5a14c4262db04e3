"""Feedback for the exercises of lesson 04 (federated training)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import cast

import pandas as pd
import torch

from fedlearn_app.task import DTYPE
from fedlearn_kit.checks import (
    Verdict,
    as_number,
    failed,
    is_close,
    is_rounded,
    number_problem,
    passed,
    shown,
    true_or_false,
)
from fedlearn_kit.evaluation import gains_by_size
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation.drift import distance
from fedlearn_kit.i18n import N_, _, ngettext
from fedlearn_kit.schema import OUTCOME_NAME
from fedlearn_kit.training import Split

Update = tuple[Mapping[str, torch.Tensor], int]


def _as_tensor(value: object) -> torch.Tensor | None:
    try:
        return torch.as_tensor(value, dtype=DTYPE)
    except (TypeError, ValueError, RuntimeError):
        return None


def fedavg_average(answer: Mapping[str, object], updates: Mapping[str, Update]) -> Verdict:
    """Exercise 4.1: the example-weighted average of the sites' round-1 models."""
    if not isinstance(answer, Mapping):
        return failed(_("expected a dict of tensors (like a state_dict), got {type}.").format(
            type=type(answer).__name__), _("build {{name: tensor}} for each weight name."))
    total = sum(n for _model, n in updates.values())
    names = list(next(iter(updates.values()))[0])
    if sorted(answer) != sorted(names):
        return failed(_("the keys are {keys}, expected {expected}.").format(
            keys=sorted(answer), expected=sorted(names)),
            _("average every entry of the state_dict, keeping its name."))
    # sum() of tensors is a tensor (0 + t); typeshed's sum() only knows "T | Literal[0]".
    # Compared in the models' DTYPE, whatever number type the answer or the updates have.
    expected = {k: cast(torch.Tensor, sum(sd[k].to(DTYPE) * n for sd, n in updates.values()))
                / total for k in names}
    plain = {k: cast(torch.Tensor, sum(sd[k].to(DTYPE) for sd, _n in updates.values()))
             / len(updates) for k in names}
    as_tensors = {k: _as_tensor(v) for k, v in answer.items()}
    given: dict[str, torch.Tensor] = {}
    for k in names:
        tensor = as_tensors[k]
        if tensor is None or tensor.shape != expected[k].shape:
            return failed(_("some entries are not tensors of the right shape."),
                          _("each entry must have the shape of the sites' tensor with that "
                            "name."))
        given[k] = tensor
    if all(torch.allclose(given[k], expected[k], atol=1e-6) for k in names):
        sizes = ", ".join(f"{site}: {n}" for site, (_model, n) in updates.items())
        return passed(_("Each site counts by its number of training patients ({sizes}), "
                        "as Flower's FedAvg does with the num-examples each site reports.").format(
            sizes=sizes))
    if all(torch.allclose(given[k], plain[k], atol=1e-6) for k in names):
        return failed(_("this is the plain mean: every site counts the same."),
                      _("weight each site's tensor by its number of training patients, then "
                        "divide by the total number of patients."))
    roots = {site: float(n) ** 0.5 for site, (_model, n) in updates.items()}
    by_root = {k: cast(torch.Tensor, sum(sd[k].to(DTYPE) * roots[site] for site, (sd, _n) in
                                         updates.items())) / sum(roots.values())
               for k in names}
    if all(torch.allclose(given[k], by_root[k], atol=1e-6) for k in names):
        return failed(_("each site is weighted by the square root of its patients."),
                      _("weight by the number of patients itself, as num-examples reports "
                        "it."))
    for site, (sd, _n) in updates.items():
        if all(torch.allclose(given[k], sd[k].to(given[k].dtype), atol=1e-6) for k in names):
            return failed(_("this is Site {site}'s model alone.").format(site=site),
                          _("average over every site's model."))
    return failed(_("the values differ from the example-weighted average."),
                  _("sum over sites of (site's tensor x site's patients) / all patients."))


def _value(answer: object) -> float:
    value = as_number(answer)
    return float("nan") if value is None else value


def _gains_problem(gains: object, table: pd.DataFrame, model: str) -> Verdict | None:
    """What is wrong with ``gains`` as {site: federated minus local AUROC}, or None.

    A gain read from the rounded table (row minus row, each to 3 decimals) counts as right.
    """
    if not isinstance(gains, Mapping):
        return failed(_("expected a dict {{site: gain}}, got {answer}.").format(
            answer=shown(gains)))
    sites = list(table.columns)
    if sorted(map(str, gains)) != sorted(sites):
        return failed(_("the sites are {sites}, expected {expected}.").format(
            sites=sorted(gains, key=str), expected=sites),
            _("one entry per column of the table."))
    for site in sites:
        problem = number_problem(gains[site], _("the gain of site {site}").format(site=site))
        if problem is not None:
            return problem
    for site in sites:
        fed, own = table.loc[model, site], table.loc[f"local {site}", site]
        expected, read = fed - own, round(fed, 3) - round(own, 3)

        def matches(value: float, given: object = gains[site]) -> bool:
            return is_close(given, value, 1e-9) or is_rounded(given, value, 3)

        if matches(expected) or is_close(gains[site], read, 1e-9):
            continue
        if (matches(-expected) or is_close(gains[site], -read, 1e-9)) and expected != 0:
            return failed(_("the sign for site {site} is reversed.").format(site=site),
                          _("take federated minus local."))
        others = [o for o in sites if o != site]
        if any(matches(fed - table.loc[f"local {o}", site]) for o in others):
            return failed(_("for site {site} that subtracts another site's model.").format(
                site=site), _("subtract site {site}'s own model ('local {site}').").format(
                site=site))
        if any(matches(table.loc[model, o] - own) for o in others):
            return failed(_("for site {site} the federated model is read on another site's "
                            "patients.").format(site=site),
                          _("both values come from column '{site}'.").format(site=site))
        return failed(_("the gain for site {site} ({gain}) is not the difference in the "
                        "table.").format(site=site, gain=shown(gains[site], 3)),
                      _("row '{model}' minus row 'local {site}', both in column '{site}'.")
                      .format(model=model, site=site))
    return None


def collaboration_gain(gains: Mapping[str, float], table: pd.DataFrame,
                       model: str = "federated (FedAvg)",
                       splits: Mapping[str, Split] | None = None) -> Verdict:
    """Exercise 4.2: per site, the federated model's AUROC minus the site's own model's.

    Gains read from the table as it is shown (rounded to 3 decimals) count as right.
    """
    problem = _gains_problem(gains, table, model)
    if problem is not None:
        return problem
    sites = sorted(table.columns, key=lambda s: -_value(gains[s]))
    if not splits:
        listed = ", ".join(f"{s} {_value(gains[s]):+.3f}" for s in sites)
        return passed(_("Gains, largest first: {listed}. Lesson 04 gives each gain's 95 % "
                        "interval.").format(listed=listed))
    sizes = {s: len(splits[s].train) for s in sites}
    listed = ", ".join(_listed(s, _value(gains[s]), sizes[s]) for s in sites)
    return passed(_("Gains, largest first: {listed}. {pattern} Lesson 04 gives each gain's "
                    "95 % interval.").format(listed=listed, pattern=gains_by_size(
                        {s: _value(gains[s]) for s in sites}, sizes)))


def _listed(site: str, gain: float, size: int) -> str:
    """One site in a list of gains: its name, its gain and its number of training patients."""
    return ngettext("{site} {gain:+.3f} ({n} training patient)",
                    "{site} {gain:+.3f} ({n} training patients)", size).format(
        site=site, gain=gain, n=size)


def update_numbers(answer: object, state_dict: Mapping[str, torch.Tensor]) -> Verdict:
    """Exercise 4.3: how many numbers one site's model update carries."""
    problem = number_problem(answer, "numbers")
    if problem is not None:
        return problem
    expected = sum(int(t.numel()) for t in state_dict.values())
    if is_close(answer, len(state_dict), 0):
        return failed(_("{answer} is the number of tensors, not of the numbers in them.")
                      .format(answer=shown(answer)), _("count the values inside each tensor."))
    if not is_close(answer, expected, 0):
        shapes = ", ".join(f"{k} {tuple(t.shape)}" for k, t in state_dict.items())
        if is_close(answer, expected - 1, 0):
            return failed(_("{answer} counts the weights but not the intercept.").format(
                answer=shown(answer)), _("every tensor of the update travels, the bias too."))
        return failed(_("{answer} is not the number of values in the update.").format(
            answer=shown(answer)), _("add up the sizes of every tensor ({shapes}); .numel() "
                                     "counts one.").format(shapes=shapes))
    return passed(ngettext("{n} number per update, however many patients the site has.",
                           "{n} numbers per update, however many patients the site has.",
                           expected).format(n=expected))


def fedprox_drift(drift: Mapping[str, Mapping[str, float]], start: Mapping[str, torch.Tensor],
                  updates: Mapping[str, Mapping[str, Mapping[str, torch.Tensor]]]) -> Verdict:
    """Exercise 4.4: how far each site's round-1 model moved, under FedAvg and FedProx.

    ``updates`` maps a strategy name to ``{site: state_dict}``; ``drift`` must map the same
    names to ``{site: distance from start}``.
    """
    if not isinstance(drift, Mapping) or sorted(drift) != sorted(updates):
        return failed(_("expected a dict with the keys {keys}, got {answer}.").format(
            keys=sorted(updates), answer=shown(drift)),
            _("one entry per strategy, each a dict {{site: distance}}."))
    for name, models in updates.items():
        given = drift[name]
        if not isinstance(given, Mapping) or sorted(given) != sorted(models):
            return failed(_("drift[{name!r}] should have one entry per site {sites}.").format(
                name=name, sites=sorted(models)))
        for site, model in models.items():
            problem = number_problem(given.get(site), f"drift[{name!r}][{site!r}]")
            if problem is not None:
                return problem
            expected = distance(model, start)
            squared = expected ** 2
            size = float(sum((model[k] ** 2).sum() for k in model) ** 0.5)
            if is_close(given[site], squared, 1e-4) and not is_close(squared, expected, 1e-4):
                return failed(_("{name}, site {site}: {answer} is the squared distance.")
                              .format(name=name, site=site, answer=shown(given[site])),
                              _("take the square root of the summed squares."))
            if is_close(given[site], size, 1e-4):
                return failed(_("{name}, site {site}: {answer} is the size of the site's "
                                "model, not how far it moved.").format(
                    name=name, site=site, answer=shown(given[site])),
                    _("subtract the starting weights before squaring."))
            if not is_close(given[site], expected, 1e-4):
                return failed(_("{name}, site {site}: {answer} is not the distance between "
                                "the site's model and the global model it started from.")
                              .format(name=name, site=site, answer=shown(given[site])),
                              _("for every tensor: (site's - start's) squared, summed over "
                                "all tensors; then the square root."))
    names = list(updates)
    if len(names) == 2:
        plain, prox = names
        shrink = ", ".join(f"{site} {drift[prox][site] / drift[plain][site]:.0%}"
                           for site in updates[plain])
        return passed(_("Under {prox} each site's model ends at this share of {plain}'s "
                        "distance: {shrink}. The penalty keeps the sites close to the global "
                        "model; whether that improves the result depends on how different "
                        "the sites are.").format(prox=prox, plain=plain, shrink=shrink))
    return passed(_("Each site's drift is right."))


def _run_problem(run: object, wanted: Experiment) -> Verdict | None:
    """What is wrong with ``run`` as the federated run of ``wanted``, or None."""
    ran = getattr(run, "experiment", None)
    if not isinstance(ran, Experiment):
        return failed(_("expected the result of kit.federation.run, got {answer}.").format(
            answer=shown(run)))
    if ran.num_sites != wanted.num_sites:
        return failed(ngettext("the run has {n} hospital; the exercise asks for {wanted}.",
                               "the run has {n} hospitals; the exercise asks for {wanted}.",
                               ran.num_sites).format(n=ran.num_sites, wanted=wanted.num_sites),
                      _("run the four-hospital experiment, not the two-hospital one."))
    changed = sorted(k for k, v in wanted.as_dict().items() if ran.as_dict().get(k) != v)
    if changed:
        settings = ", ".join(_("{key}={value!r} (not {wanted!r})").format(
            key=k, value=ran.as_dict()[k], wanted=wanted.as_dict()[k]) for k in changed)
        return failed(_("the run changed {settings}.").format(settings=settings),
                      _("keep every other setting of the experiment: only the number of "
                        "hospitals changes."))
    return None


def more_sites_gain(gains: Mapping[str, float], table: pd.DataFrame,
                    splits: Mapping[str, Split], run: object = None,
                    base: Experiment | None = None, model: str = "federated (FedAvg)",
                    sites: int | None = None) -> Verdict:
    """Exercise 4.5: each site's gain in a larger federation, with its number of patients.

    With ``sites``, the table must have that many hospitals (the exercise's number). With
    ``run`` and ``base``, checks that the run is ``base`` with one hospital per column of the
    table and nothing else changed (a two-hospital run or one round is named).
    The feedback describes the gains against the sites' sizes with
    :func:`~fedlearn_kit.evaluation.gains_by_size` (point estimates; lesson 04 adds the
    intervals and draws the same conclusion).
    """
    if sites is not None and len(table.columns) != sites:
        return failed(ngettext("the table has {n} hospital; the exercise asks for {wanted}.",
                               "the table has {n} hospitals; the exercise asks for {wanted}.",
                               len(table.columns)).format(n=len(table.columns), wanted=sites),
                      _("make wide the experiment with four hospitals, and build the table "
                        "from it."))
    if run is not None and base is not None:
        problem = _run_problem(run, replace(base, num_sites=len(table.columns)))
        if problem is not None:
            return problem
    problem = _gains_problem(gains, table, model)
    if problem is not None:
        return problem
    columns = list(table.columns)
    values = {s: _value(gains[s]) for s in columns}
    sizes = {s: len(splits[s].train) for s in columns}
    order = sorted(columns, key=lambda s: -values[s])
    listed = ", ".join(_listed(s, values[s], sizes[s]) for s in order)
    return passed(_("Gains, largest first: {listed}. {pattern} Size is not all that matters: "
                    "case mix and baseline risk do too. Lesson 04 gives each gain's 95 % "
                    "interval, which says which of these differences are beyond chance.")
                  .format(listed=listed, pattern=gains_by_size(values, sizes)))


def reply_metrics(names: object, messages: pd.DataFrame) -> Verdict:
    """Exercise 4.6: the metric names a site's training reply carries besides the weights."""
    replies = messages[(messages["type"] == "train") & (messages["direction"] == "from site")]
    expected = {m.strip() for text in replies["metrics"] for m in text.split(",") if m.strip()}
    if not isinstance(names, set | list | tuple | frozenset):
        return failed(_("expected a set of names, got {answer}.").format(answer=shown(names)))
    given = {str(n) for n in names}
    if given == expected:
        return passed(_("A training reply carries {names} besides the weights. "
                        "'num-examples' tells the coordinator how many patients the site "
                        "trained on, in every round; 'loss' describes how well the model fits "
                        "them. Both are information about the site's patients.").format(
            names=sorted(expected)))
    evaluate = messages[(messages["type"] == "evaluate") & (messages["direction"] == "from site")]
    eval_names = {m.strip() for text in evaluate["metrics"] for m in text.split(",") if m.strip()}
    if given == eval_names:
        return failed(_("those are the metrics of an evaluation reply."),
                      _("keep the rows of type 'train' sent 'from site'."))
    if given < expected:
        missing = len(expected - given)
        return failed(ngettext("{n} name missing.", "{n} names missing.", missing).format(
            n=missing), _("read the 'metrics' column of every training reply a site sent."))
    return failed(_("{names} are not in a training reply.").format(
        names=sorted(given - expected)),
        _("read the 'metrics' column of the rows of type 'train' sent 'from site'."))


#: Each statement's truth and a hint; the hints are translated where they are shown.
COORDINATOR_STATEMENTS = {
    "records_leave": (False, N_("reread section 6: which rows of what_leaves say 'stay at the "
                                "site'?")),
    "update_size_fixed": (True, N_("compare the numbers per update for Site A and Site B in "
                                   "what_leaves.")),
    "coordinator_is_processor_if_only_instructed": (
        True, N_("reread 'The coordinator' in section 7 (GDPR Art. 28).")),
    "reusing_models_keeps_it_a_processor": (
        False, N_("reread 'The coordinator' in section 7: what happens when it decides "
                  "something about purpose or means?")),
    "joint_controllers_need_arrangement": (
        True, N_("reread 'Controllers' in section 7 (GDPR Art. 26).")),
}


def coordinator_roles(answers: object) -> Verdict:
    """Exercise 4.7: true or false, five statements on what leaves and who answers for it."""
    statements = {key: (truth, _(hint)) for key, (truth, hint) in COORDINATOR_STATEMENTS.items()}
    return true_or_false(answers, statements,
                         _("No record leaves a site, but a fixed-size update and metadata do; "
                           "a coordinator that only follows the regions' instructions is a "
                           "processor (Art. 28), one that reuses the models becomes a "
                           "controller; two regions deciding together are likely joint "
                           "controllers and need an arrangement (Art. 26)."))


def reply_carries(result: object, splits: Mapping[str, Split], metric: str = "positives"
                  ) -> Verdict:
    """Exercise 4.8: a ClientApp whose training reply also carries ``metric``, and still
    trains exactly as the course's does (its final model equals a run of the course's app
    with the same experiment: an edit that stops training, or changes it, is named)."""
    messages = getattr(result, "messages", None)
    if messages is None:
        return failed(_("expected the Result of kit.federation.run, got {answer}.").format(
            answer=shown(result)))
    log = messages()
    replies = log[(log["type"] == "train") & (log["direction"] == "from site")]
    if replies.empty:
        return failed(_("the run's message log is empty."), _("run it with the local engine."))
    carried = replies["metrics"].str.split(", ").map(set)
    if not all(metric in names for names in carried):
        return failed(_("the training replies do not carry '{metric}'.").format(metric=metric),
                      _("add '{metric}' to the MetricRecord that the train handler of your "
                        "copy's client_app.py sends, and run that copy (app=my_app).").format(
                          metric=metric))
    values = result.site_metrics(metric, stage="train")  # type: ignore[attr-defined]
    for site, split in splits.items():
        expected = int(split.train[OUTCOME_NAME].sum())
        if site in values and any(isinstance(v, bool) for v in values[site]):
            return failed(_("Site {site} reported True or False, not a count.").format(
                site=site), _("count the readmitted patients."))
        if site in values and not all(is_close(v, expected, 0) for v in values[site]):
            return failed(_("Site {site} reported {answer}, but {n} of its training patients "
                            "were readmitted.").format(site=site,
                                                      answer=shown(values[site].iloc[0]),
                                                      n=expected),
                          _("count the readmitted patients in the site's training part "
                            "('{column}').").format(column=OUTCOME_NAME))
    from fedlearn_kit.federation import run as federated_run

    reference = federated_run(result.experiment, progress=False)  # type: ignore[attr-defined]
    trained = result.state_dict  # type: ignore[attr-defined]
    if not all(torch.allclose(trained[k], reference.state_dict[k], atol=1e-6)
               for k in reference.state_dict):
        return failed(_("the replies carry the count, but the model differs from what the "
                        "course's ClientApp trains."),
                      _("change only what the reply carries: the hospital must still train "
                        "exactly as before (an untrained or differently trained update would "
                        "change the federated model)."))
    told = ", ".join(f"{s}: {int(split.train[OUTCOME_NAME].sum())}" for s, split in
                     splits.items())
    return passed(_("Every training reply now tells the coordinator how many of the site's "
                    "training patients were readmitted ({told}). One line in a handler "
                    "changes what leaves a hospital; a metric is data about patients too.")
                  .format(told=told))
