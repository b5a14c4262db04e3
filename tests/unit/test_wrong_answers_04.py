"""Exercise notebook 04: each check accepts the solution and refuses the wrong answers below,
naming the mistake (the pattern: tests/unit/wrong_answers.py).

Exercise 4.8 edits a copy of the course's Flower app (app/): the wrong answers are edits
of that copy's ``client_app.py``, run for one round as the exercise runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_kit.checks import federated as check
from fedlearn_kit.federation.drift import distance, start_and_updates
from fedlearn_kit.federation.flower_app import copy_app, replace_in_file
from tests.unit.wrong_answers import (
    Wrong,
    assert_accepted,
    assert_rejected,
    solution_code,
    table_problems,
)

NOTEBOOK = "04_federated.ipynb"
FED = "federated (FedAvg)"
#: The line of the app's train handler that 4.8 extends, and the training call it must keep.
REPLY = '"num-examples": len(train_data)})'
TRAINING = "losses = train_model("
POSITIVES = 'int(train_data["readmitted_30d"].sum())'


@dataclass
class Context:
    """What solutions/04 has computed when the learner reaches each check."""

    exp: kit.Experiment
    splits: dict[str, kit.Split]
    updates: dict[str, tuple[dict[str, torch.Tensor], int]]
    table: pd.DataFrame
    fedavg: kit.federation.Result
    start: dict[str, torch.Tensor]
    by_strategy: dict[str, dict[str, dict[str, torch.Tensor]]]
    wide: kit.Experiment
    wide_splits: dict[str, kit.Split]
    wide_run: kit.federation.Result
    wide_table: pd.DataFrame
    work: Path

    def average(self, weight) -> dict[str, torch.Tensor]:  # type: ignore[no-untyped-def]
        """The sites' models averaged with ``weight(n)`` per site."""
        total = sum(weight(n) for _, n in self.updates.values())
        return {k: sum(sd[k] * weight(n) for sd, n in self.updates.values()) / total
                for k in self.updates["A"][0]}

    def gains(self, table: pd.DataFrame, row: str = FED, own: str = "local {site}",
              patients: dict[str, str] | None = None) -> dict[str, float]:
        return {s: float(table.loc[row, (patients or {}).get(s, s)]
                         - table.loc[own.format(site=s), s]) for s in table.columns}

    def drift(self, measure) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
        return {name: {site: float(measure(model)) for site, model in models.items()}
                for name, models in self.by_strategy.items()}

    def wide_gain(self, gains: object, table: pd.DataFrame | None = None,
                  run: object = None) -> object:
        table = self.wide_table if table is None else table
        splits = self.wide_splits if len(table.columns) == 4 else self.splits
        return check.more_sites_gain(gains, table, splits, run=run or self.wide_run,
                                     base=self.exp, sites=4)

    def app_run(self, name: str, old: str, new: str) -> kit.federation.Result:
        """A one-round run of a copy of the app with ``old`` replaced by ``new``."""
        app = copy_app(self.work / name, replace=True)
        replace_in_file(app / "fedlearn_app" / "client_app.py", old, new)
        return kit.federation.run(replace(self.exp, num_rounds=1), app=app, progress=False)

    def reply(self, name: str, positives: str) -> object:
        run = self.app_run(name, REPLY, f'"num-examples": len(train_data), '
                                        f'"positives": {positives}}})')
        return check.reply_carries(run, self.splits)


@cache
def context(work: Path) -> Context:
    exp = kit.Experiment(seed=42)
    cohort = exp.cohort()
    splits = kit.split_cohort(cohort, exp.test_fraction, exp.seed)
    updates = kit.federation.first_round(exp)
    local = kit.fit_local(splits, exp)
    fedavg = kit.federation.run(exp, progress=False)
    table = kit.compare([*local.values(), fedavg.model()], kit.future_patients(cohort, 5000))
    ten = replace(exp, local_epochs=10)
    start, fedavg_models = start_and_updates(ten)
    _, fedprox_models = start_and_updates(ten, proximal_mu=0.1)
    wide = replace(exp, num_sites=4)
    wide_splits = kit.split_cohort(wide.cohort(), wide.test_fraction, wide.seed)
    wide_run = kit.federation.run(wide, progress=False)
    wide_table = kit.compare([*kit.fit_local(wide_splits, wide).values(), wide_run.model()],
                             kit.future_patients(wide.cohort(), 2000))
    return Context(exp, splits, updates, table, fedavg, start,
                   {"FedAvg": fedavg_models, "FedProx": fedprox_models}, wide, wide_splits,
                   wide_run, wide_table, work)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Context:
    return context(tmp_path_factory.mktemp("exercises-04"))


def _two_site_table(c: Context) -> pd.DataFrame:
    """The table the next cell builds when ``wide`` is left as the two-hospital experiment."""
    return c.table


def _without_bias(c: Context) -> dict[str, dict[str, float]]:
    return c.drift(lambda m: ((m["linear.weight"] - c.start["linear.weight"]) ** 2).sum() ** 0.5)


def _rms(c: Context) -> dict[str, dict[str, float]]:
    def rms(m: dict[str, torch.Tensor]) -> float:
        squares = sum(((m[k] - c.start[k]) ** 2).sum() for k in c.start)
        return float((squares / sum(t.numel() for t in c.start.values())) ** 0.5)
    return c.drift(rms)


def _metric_names(c: Context, kind: str) -> set[str]:
    log = c.fedavg.messages()
    rows = log[(log["type"] == kind) & (log["direction"] == "from site")]
    return {m for text in rows["metrics"] for m in text.split(", ") if m}


ANSWERS = {k: truth for k, (truth, _) in check.COORDINATOR_STATEMENTS.items()}

RIGHT = {
    "4.1": lambda c: check.fedavg_average(c.average(float), c.updates),
    "4.2": lambda c: check.collaboration_gain(c.gains(c.table), c.table),
    "4.3": lambda c: check.update_numbers(
        sum(t.numel() for t in c.fedavg.state_dict.values()), c.fedavg.state_dict),
    "4.4": lambda c: check.fedprox_drift(c.drift(lambda m: distance(m, c.start)), c.start,
                                         c.by_strategy),
    "4.5": lambda c: c.wide_gain(c.gains(c.wide_table)),
    "4.6": lambda c: check.reply_metrics(_metric_names(c, "train"), c.fedavg.messages()),
    "4.7": lambda c: check.coordinator_roles(ANSWERS),
    "4.8": lambda c: c.reply("right", POSITIVES),
}

WRONG = [
    # 4.1 FedAvg by hand
    Wrong("4.1", "weights by the square root of the patients", lambda c: check.fedavg_average(
        c.average(lambda n: n ** 0.5), c.updates), "square root", "review"),
    Wrong("4.1", "Site B's model only", lambda c: check.fedavg_average(
        dict(c.updates["B"][0]), c.updates), "site b's model alone", "review"),
    Wrong("4.1", "the plain mean", lambda c: check.fedavg_average(
        c.average(lambda n: 1.0), c.updates), "plain mean"),
    Wrong("4.1", "weighted sum, not divided by all patients", lambda c: check.fedavg_average(
        {k: v * sum(n for _, n in c.updates.values()) for k, v in c.average(float).items()},
        c.updates), "differ from the example-weighted average"),
    Wrong("4.1", "a list of tensors, not a dict", lambda c: check.fedavg_average(
        list(c.average(float).values()), c.updates), "expected a dict"),  # type: ignore[arg-type]
    Wrong("4.1", "the weight tensor only", lambda c: check.fedavg_average(
        {"linear.weight": c.average(float)["linear.weight"]}, c.updates), "the keys are"),
    # 4.2 who gains
    Wrong("4.2", "own model minus federated", lambda c: check.collaboration_gain(
        {s: -g for s, g in c.gains(c.table).items()}, c.table), "reversed"),
    Wrong("4.2", "Site B's model subtracted at both sites", lambda c: check.collaboration_gain(
        c.gains(c.table, own="local B"), c.table),
          "another site's model"),
    Wrong("4.2", "federated model read on the other site's patients",
          lambda c: check.collaboration_gain(
              c.gains(c.table, patients={"A": "B", "B": "A"}), c.table),
          "another site's patients"),
    Wrong("4.2", "text for a number", lambda c: check.collaboration_gain(
        {s: f"{g:.3f}" for s, g in c.gains(c.table).items()}, c.table), "not a number"),
    Wrong("4.2", "Site A only", lambda c: check.collaboration_gain(
        {"A": c.gains(c.table)["A"]}, c.table), "expected ['a', 'b']"),
    # 4.3 what one update holds
    Wrong("4.3", "the number of tensors", lambda c: check.update_numbers(
        len(c.fedavg.state_dict), c.fedavg.state_dict), "number of tensors", "review"),
    Wrong("4.3", "16 weights without the intercept", lambda c: check.update_numbers(
        16, c.fedavg.state_dict), "intercept", "review"),
    Wrong("4.3", "the text '17'", lambda c: check.update_numbers("17", c.fedavg.state_dict),
          "not a number"),
    Wrong("4.3", "Site A's number of training patients", lambda c: check.update_numbers(
        len(c.splits["A"].train), c.fedavg.state_dict), "not the number of values"),
    # 4.4 FedProx's drift
    Wrong("4.4", "the weights' distance without the intercept", lambda c: check.fedprox_drift(
        _without_bias(c), c.start, c.by_strategy), "not the distance", "review"),
    Wrong("4.4", "root mean square instead of the distance", lambda c: check.fedprox_drift(
        _rms(c), c.start, c.by_strategy), "not the distance", "review"),
    Wrong("4.4", "squared distance", lambda c: check.fedprox_drift(
        c.drift(lambda m: distance(m, c.start) ** 2), c.start, c.by_strategy), "squared"),
    Wrong("4.4", "the size of each site's model", lambda c: check.fedprox_drift(
        c.drift(lambda m: sum((m[k] ** 2).sum() for k in m) ** 0.5), c.start, c.by_strategy),
          "size of the site's model"),
    Wrong("4.4", "FedAvg only", lambda c: check.fedprox_drift(
        {"FedAvg": c.drift(lambda m: distance(m, c.start))["FedAvg"]}, c.start,
        c.by_strategy), "expected a dict with the keys"),
    Wrong("4.4", "text for a number", lambda c: check.fedprox_drift(
        {n: {s: str(v) for s, v in d.items()} for n, d in
         c.drift(lambda m: distance(m, c.start)).items()}, c.start, c.by_strategy),
          "not a number"),
    # 4.5 four hospitals
    Wrong("4.5", "wide_run is the two-hospital run (run(exp))", lambda c: c.wide_gain(
        c.gains(c.wide_table), run=c.fedavg), "the run has 2 hospitals", "review"),
    Wrong("4.5", "a one-round run", lambda c: c.wide_gain(
        c.gains(c.wide_table), run=kit.federation.run(replace(c.wide, num_rounds=1),
                                                      progress=False)),
          "num_rounds=1", "review"),
    Wrong("4.5", "wide left as the two-hospital experiment", lambda c: c.wide_gain(
        c.gains(_two_site_table(c)), table=_two_site_table(c), run=c.fedavg),
          "the table has 2 hospitals"),
    Wrong("4.5", "own model minus federated", lambda c: c.wide_gain(
        {s: -g for s, g in c.gains(c.wide_table).items()}), "reversed"),
    Wrong("4.5", "three of the four hospitals", lambda c: c.wide_gain(
        {s: g for s, g in c.gains(c.wide_table).items() if s != "D"}), "the sites are"),
    Wrong("4.5", "FedProx with the four hospitals", lambda c: c.wide_gain(
        c.gains(c.wide_table), run=kit.federation.run(replace(c.wide, strategy="fedprox"),
                                                      progress=False)), "strategy="),
    # 4.6 what else leaves
    Wrong("4.6", "the names of the evaluation replies too", lambda c: check.reply_metrics(
        _metric_names(c, "train") | _metric_names(c, "evaluate"), c.fedavg.messages()),
          "evaluation reply", "review"),
    Wrong("4.6", "the loss only", lambda c: check.reply_metrics(
        {"loss"}, c.fedavg.messages()), "missing"),
    Wrong("4.6", "the metrics column as one text", lambda c: check.reply_metrics(
        "loss, num-examples", c.fedavg.messages()), "expected a set"),
    Wrong("4.6", "the site's number counted as a metric", lambda c: check.reply_metrics(
        _metric_names(c, "train") | {"partition-id"}, c.fedavg.messages()),
          "not in a training reply"),
    # 4.7 who answers for what
    Wrong("4.7", "records leave the hospitals", lambda c: check.coordinator_roles(
        {**ANSWERS, "records_leave": True}), "stay at the site", "review"),
    Wrong("4.7", "'no' for False", lambda c: check.coordinator_roles(
        {**ANSWERS, "reusing_models_keeps_it_a_processor": "no"}), "\"no\" included"),
    Wrong("4.7", "a statement left out", lambda c: check.coordinator_roles(
        {k: v for k, v in ANSWERS.items() if k != "update_size_fixed"}), "no answer yet"),
    # 4.8 change what the ClientApp replies
    Wrong("4.8", "a train handler that does not train", lambda c: check.reply_carries(
        _untrained(c), c.splits), "model differs", "review"),
    Wrong("4.8", "the readmission rate, not the count", lambda c: c.reply(
        "rate", 'float(train_data["readmitted_30d"].mean())'), "were readmitted", "review"),
    Wrong("4.8", "the test patients' count", lambda c: c.reply(
        "test", 'int(site_data(context)[1][1]["readmitted_30d"].sum())'), "were readmitted",
          "review"),
    Wrong("4.8", "the course's app, unedited", lambda c: check.reply_carries(
        c.fedavg, c.splits), "do not carry 'positives'"),
    Wrong("4.8", "the patients not readmitted", lambda c: c.reply(
        "complement", 'int((train_data["readmitted_30d"] == 0).sum())'), "were readmitted"),
    Wrong("4.8", "all training patients", lambda c: c.reply("everyone", "len(train_data)"),
          "were readmitted"),
    Wrong("4.8", "the count, with the learning rate changed", lambda c: check.reply_carries(
        _edited(c, "faster", ("lr=lr,", "lr=2 * lr,")), c.splits), "model differs"),
    Wrong("4.8", "a text for the run", lambda c: check.reply_carries("reporting", c.splits),
          "expected the result"),
]


def _edited(c: Context, name: str, *edits: tuple[str, str]) -> kit.federation.Result:
    """A one-round run of an app copy that carries the count and has ``edits`` too."""
    app = copy_app(c.work / name, replace=True)
    client = app / "fedlearn_app" / "client_app.py"
    replace_in_file(client, REPLY, f'"num-examples": len(train_data), "positives": {POSITIVES}}})')
    for old, new in edits:
        replace_in_file(client, old, new)
    return kit.federation.run(replace(c.exp, num_rounds=1), app=app, progress=False)


def _untrained(c: Context) -> kit.federation.Result:
    """The count is carried, but the handler skips training (a loss of 0.0 is reported)."""
    return _edited(c, "untrained", (TRAINING, "losses = [0.0] or train_model("))


def test_the_tables_cover_every_exercise() -> None:
    assert table_problems(NOTEBOOK, RIGHT, WRONG) == []


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_the_solution_is_accepted(exercise: str, ctx: Context,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    verdict = RIGHT[exercise](ctx)
    assert_accepted(verdict, capsys.readouterr().out)


def test_gains_read_from_the_rounded_table_count(ctx: Context,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Exercise 4.5 shows the table rounded to 3 decimals: reading it there is right."""
    rounded = ctx.wide_table.round(3)
    read = {s: float(rounded.loc[FED, s] - rounded.loc[f"local {s}", s]) for s in rounded}
    assert_accepted(ctx.wide_gain(read), capsys.readouterr().out)


def test_the_feedback_of_4_5_agrees_with_lesson_04(ctx: Context,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Lesson 04 says D gains less than A although it is smaller; 4.5's feedback says so too,
    and never that the gains simply follow size."""
    ctx.wide_gain(ctx.gains(ctx.wide_table))
    out = capsys.readouterr().out
    assert "D (224 patients) gains less than A (226)" in out
    assert "the smaller the hospital, the more it gains" not in out


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: w.id)
def test_a_wrong_answer_is_refused_and_named(wrong: Wrong, ctx: Context,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    verdict = wrong.call(ctx)
    assert_rejected(wrong, verdict, capsys.readouterr().out,
                    solution_code(NOTEBOOK)[wrong.exercise])
