"""How long do the attacks of lesson 05 take, and what does DP-SGD cost over plain training?

Run: `python benchmarks/privacy.py` (or `make bench`). Prints the run time of the loss
attack, of LiRA's shadow models and of the LiRA scoring on Site A's over-fitted model
(lesson 05's defaults, 16 shadows), of the permutation test (999 shuffles), and the time of
DP-SGD (Opacus, noise and sampling from the kit's ChaCha20 stream) against the same training
loop without DP, for the logistic regression and the MLP, and of the accountants lesson 06
asks (RDP ε, the PLD's mechanism bound). Each figure is the best of a few runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import fedlearn_kit as kit
from fedlearn_app.task import to_tensors
from fedlearn_kit.privacy import attacks, defences, evidence
from fedlearn_kit.training import one_torch_thread, train


def best_of(fn: Callable[[], object], repeats: int = 3) -> float:
    """The fastest wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    exp = kit.Experiment(seed=42)
    cohort = exp.cohort()
    splits = kit.split_cohort(cohort, exp.test_fraction, exp.seed)
    future = kit.future_patients(cohort, 2000)
    population = kit.future_patients(cohort, 2000, stream=2)
    members = splits["A"].train
    target_exp = kit.Experiment(model="mlp", hidden=64, epochs=100, lr=0.1, batch_size=16,
                                seed=42)
    target = kit.fit(members, target_exp, "target")  # also warms up torch

    print(f"Attacks on Site A's over-fitted MLP ({len(members)} members, "
          f"{len(future['A'])} non-members)")
    loss_s = best_of(lambda: attacks.loss_attack(target, members, future["A"]))
    fit_s = best_of(lambda: kit.fit(members, target_exp, "target"), repeats=2)
    shadows = attacks.shadow_models(population["A"], target_exp, num_shadow=16,
                                    train_size=len(members))
    lira_s = best_of(lambda: attacks.lira_attack(target, members, future["A"], shadows))
    loss = attacks.loss_attack(target, members, future["A"])
    test_s = best_of(lambda: evidence.evidence(loss))
    print(f"  loss-threshold attack       {loss_s:8.3f} s")
    print(f"  one shadow model (training) {fit_s:8.3f} s  -> 16 shadows ~ {16 * fit_s:.1f} s")
    print(f"  LiRA scoring, 16 shadows    {lira_s:8.3f} s")
    print(f"  evidence (999 shuffles)     {test_s:8.3f} s")

    print("DP-SGD (Opacus) against the same loop without DP, Site A, batch 16, one thread")
    X, y = to_tensors(members)  # noqa: N806 - the kit's naming glossary
    for model, epochs in (("logistic", 30), ("mlp", 30)):
        r = kit.Experiment(model=model, epochs=epochs, lr=0.1, batch_size=16, seed=1)

        def plain(r: kit.Experiment = r) -> None:
            with one_torch_thread():  # dp_train runs on one thread too: compare like for like
                train(kit.new_net(r), X, y, epochs=r.epochs, lr=r.lr, batch_size=r.batch_size,
                      seed=1)

        def private(r: kit.Experiment = r) -> None:
            defences.dp_train(kit.new_net(r), X, y, epochs=r.epochs, lr=r.lr,
                              batch_size=r.batch_size, seed=1, dp=defences.DPConfig(1.0))

        plain_s, dp_s = best_of(plain), best_of(private)
        print(f"  {model:9s} {epochs} epochs: plain {plain_s:6.3f} s, DP-SGD {dp_s:6.3f} s, "
              f"overhead x{dp_s / plain_s:.1f}")

    print("Accountants for lesson 06's runs (q = 1/15): RDP ε and the PLD's mechanism bound")
    for sigma, steps in ((5.859, 450), (1.177, 450), (1.0, 150)):
        history = [(sigma, 1 / 15, steps)]
        rdp_s = best_of(lambda h=history: defences.epsilon_spent(h, 1e-5))
        pld_s = best_of(lambda h=history: defences.mechanism_advantage_bound(h))
        print(f"  σ = {sigma:5.3f}, {steps} steps: RDP ε {rdp_s:6.3f} s, PLD bound {pld_s:6.3f} s")


if __name__ == "__main__":
    main()
