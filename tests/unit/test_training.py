import numpy as np
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_app.task import DTYPE, FEATURES, NUM_FEATURES, make_model, to_tensors
from fedlearn_kit.experiment import MODEL_KINDS
from fedlearn_kit.schema import FEATURES as SCHEMA_FEATURES
from fedlearn_kit.training import default_dtype, split_site, train


def feature_matrix(df):
    return to_tensors(df)[0].numpy()


def test_split_is_stratified_disjoint_and_deterministic(small_cohort):
    df = small_cohort["A"]
    one, two = split_site(df, 0.25, seed=1), split_site(df, 0.25, seed=1)
    assert one.test.equals(two.test)
    assert len(one.train) + len(one.test) == len(df)
    assert not set(one.train.patient_id) & set(one.test.patient_id)
    rate = df.readmitted_30d.mean()
    assert abs(one.test.readmitted_30d.mean() - rate) < 0.01
    assert not split_site(df, 0.25, seed=2).test.equals(one.test)


def test_split_refuses_a_site_that_is_too_small(small_cohort):
    with pytest.raises(kit.CohortError, match="at least 50"):
        split_site(small_cohort["A"].iloc[:30], 0.25, seed=1)


def test_features_use_the_fixed_reference_scaling(small_cohort):
    df = small_cohort["A"].iloc[:5]
    X = feature_matrix(df)
    assert X.shape == (5, NUM_FEATURES) and X.dtype == np.float64
    age = kit.FEATURE_NAMES.index("age")
    np.testing.assert_allclose(X[:, age], (df.age - 75) / 10, rtol=1e-12)
    probnp = kit.FEATURE_NAMES.index("nt_probnp")
    np.testing.assert_allclose(X[:, probnp], np.log(df.nt_probnp) - 8, rtol=1e-12)


def test_models_inputs_and_trained_weights_are_64_bit(small_cohort):
    # 64 bits is what makes the figures the same on every CPU (the app's task.DTYPE).
    assert DTYPE is torch.float64
    X, y = to_tensors(small_cohort["A"])
    assert X.dtype == y.dtype == DTYPE
    for kind in ("logistic", "mlp"):
        assert {p.dtype for p in make_model(kind).parameters()} == {DTYPE}
    exp = kit.Experiment(patients_per_site=400, seed=7, epochs=2)
    model = kit.fit_central(kit.split_cohort(exp.cohort(), seed=7), exp)
    assert {p.dtype for p in model.net.parameters()} == {DTYPE}
    assert model.predict_proba(small_cohort["A"]).dtype == np.float64


def test_64_bit_models_start_from_the_32_bit_initial_weights():
    # The seeded starting point is torch's own (32-bit) initialisation, widened exactly.
    torch.manual_seed(5)
    reference = torch.nn.Linear(NUM_FEATURES, 1)
    net = make_model("logistic", seed=5)
    assert torch.equal(net.linear.weight, reference.weight.detach().to(DTYPE))


def test_default_dtype_is_64_bit_inside_the_block_and_restored_after():
    assert torch.get_default_dtype() == torch.float32
    with default_dtype():
        assert torch.zeros(2).dtype == DTYPE
        assert torch.normal(0.0, 1.0, size=(2,)).dtype == DTYPE
    assert torch.zeros(2).dtype == torch.float32
    with pytest.raises(RuntimeError, match="inside"), default_dtype():
        raise RuntimeError("inside")
    assert torch.get_default_dtype() == torch.float32


def test_the_apps_feature_table_is_the_schemas_model_scaling():
    """The boundary between the kit's data and the app: the same inputs, scaled alike."""
    assert [f.column for f in FEATURES] == [c.name for c in SCHEMA_FEATURES]
    for feature, column in zip(FEATURES, SCHEMA_FEATURES, strict=True):
        assert (feature.center, feature.scale, feature.log) == \
            (column.center, column.scale, column.log), column.name
        assert feature.is_value == (column.categories[0] if column.kind == "category" else None)
    from fedlearn_app.task import MODELS

    assert MODELS == MODEL_KINDS


def test_models_start_from_the_seed_without_touching_global_random_state():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = make_model("mlp", seed=5)
    assert torch.rand(1).item() == before.item()
    b = make_model("mlp", seed=5)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    with pytest.raises(ValueError, match="logistic"):
        make_model("forest")


def test_training_reduces_the_loss_and_is_deterministic(small_cohort):
    X, y = to_tensors(small_cohort["B"])
    runs = []
    for _ in range(2):
        net = make_model("logistic", seed=0)
        losses = train(net, X, y, epochs=8, lr=0.1, batch_size=32, seed=3)
        runs.append(net.linear.weight.detach().clone())
    assert losses[-1] < losses[0]
    assert torch.equal(runs[0], runs[1])


def test_proximal_term_keeps_weights_near_the_start(small_cohort):
    X, y = to_tensors(small_cohort["A"])
    drift = {}
    for mu in (0.0, 5.0):
        net = make_model("logistic", seed=0)
        start = net.linear.weight.detach().clone()
        train(net, X, y, epochs=5, lr=0.1, batch_size=32, seed=1, proximal_mu=mu)
        drift[mu] = (net.linear.weight.detach() - start).norm().item()
    assert drift[5.0] < 0.5 * drift[0.0]


def test_logistic_regression_recovers_the_true_effects():
    exp = kit.Experiment(patients_per_site=20_000, num_sites=1, epochs=5, seed=2)
    splits = kit.split_cohort(exp.cohort(), exp.test_fraction, exp.seed)
    model = kit.fit_local(splits, exp)["A"]
    weights = dict(zip(kit.FEATURE_NAMES, model.net.linear.weight.detach().numpy().ravel(),
                       strict=True))
    # The strongest true effects come out with the right sign (threshold effects and
    # correlated features blur the exact sizes).
    for name in ("prior_admissions_12m", "nt_probnp", "nyha_class"):
        assert weights[name] > 0.15, name
    assert weights["egfr"] < 0


def test_local_and_central_models_on_small_data(small_experiment):
    splits = kit.split_cohort(small_experiment.cohort(), 0.25, small_experiment.seed)
    local = kit.fit_local(splits, small_experiment)
    central = kit.fit_central(splits, small_experiment)
    assert set(local) == {"A", "B"} and local["A"].trained_on == ("A",)
    assert central.trained_on == ("A", "B")
    table = kit.compare([*local.values(), central], splits)
    assert list(table.index) == ["local A", "local B", "central"]
    assert list(table.columns) == ["A", "B"] and (table > 0.6).all().all()
    report = kit.site_report(local, splits)
    assert (report["95% low"] < report["AUROC"]).all()
    assert (report["AUROC"] < report["95% high"]).all()
    assert report["test patients"].tolist() == [len(s.test) for s in splits.values()]


def test_fit_takes_a_seed_and_the_experiments_mlp_width(small_cohort):
    exp = kit.Experiment(model="mlp", hidden=40, epochs=2)
    df = small_cohort["A"]
    wide = kit.fit(df, exp, "wide")
    assert wide.net.layers[0].out_features == 40
    assert kit.new_net(exp).layers[0].out_features == 40
    again = kit.fit(df, exp, "again")
    other = kit.fit(df, exp, "other", seed=exp.seed + 1)
    first = next(wide.net.parameters())
    assert torch.equal(first, next(again.net.parameters()))
    assert not torch.equal(first, next(other.net.parameters()))
    assert make_model("mlp", hidden=8).layers[0].out_features == 8
