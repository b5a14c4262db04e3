"""Which of the course's computations change with the CPU's vector kernels or thread count?

Runs the heavy computations of lessons 01-06 (cohort, training loops, shadow models and
LiRA, bootstrap, permutation nulls, DP-SGD with Opacus, the Flower runs and their DP
variants, BLAS reductions in numpy) once per setting, each in a fresh subprocess (the
settings are read when torch, MKL, OpenBLAS and numpy load), and prints, per computation,
the largest difference from the first setting at full precision:

    .venv/bin/python benchmarks/numeric_drift.py                  # every setting
    .venv/bin/python benchmarks/numeric_drift.py --settings native avx2 threads1

"bit-identical" means every value agrees to the last bit; otherwise the largest absolute
and relative differences are shown, and for each figure a lesson prints, whether it moves
at the precision printed. Settings (each is one subprocess's environment):

- ``ATEN_CPU_CAPABILITY``: the vector kernels PyTorch picks (default, avx2, avx512);
- ``MKL_ENABLE_INSTRUCTIONS``: the kernels of MKL, torch's BLAS (what a CPU without AVX-512
  would run for a matrix product);
- ``threads``: torch's intra-op threads (``OMP_NUM_THREADS`` and ``torch.set_num_threads``);
- ``OPENBLAS_CORETYPE``: numpy's OpenBLAS kernels for another core (Prescott is generic SSE3);
- ``NPY_DISABLE_CPU_FEATURES``: numpy's own SIMD loops (exp, log, sums) without AVX-512.

``--cost`` instead times the same computations in this process with the models' number
type (the app's ``task.DTYPE``) at 32 and at 64 bits, alternating, and prints the CPU
seconds of each (CPU time, not wall time: the machine may be shared):

    .venv/bin/python benchmarks/numeric_drift.py --cost
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

#: One environment per setting; the first one run is the reference.
SETTINGS: dict[str, dict[str, str]] = {
    "native": {},
    "default": {"ATEN_CPU_CAPABILITY": "default"},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    "avx512": {"ATEN_CPU_CAPABILITY": "avx512"},
    "mkl-avx2": {"MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "mkl-sse42": {"MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
    "avx2+mkl-avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "threads1": {"OMP_NUM_THREADS": "1", "FEDLEARN_DRIFT_THREADS": "1"},
    "threads2": {"OMP_NUM_THREADS": "2", "FEDLEARN_DRIFT_THREADS": "2"},
    "openblas-prescott": {"OPENBLAS_CORETYPE": "Prescott"},
    "openblas-haswell": {"OPENBLAS_CORETYPE": "Haswell"},
    "numpy-no-avx512": {"NPY_DISABLE_CPU_FEATURES":
                        "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL"},
}


def probe() -> dict[str, np.ndarray]:
    """The computations, each as a flat float64 array (run inside one setting)."""
    import torch

    threads = os.environ.get("FEDLEARN_DRIFT_THREADS")
    if threads:
        torch.set_num_threads(int(threads))

    import fedlearn_kit as kit
    from fedlearn_app import task
    from fedlearn_kit.evaluation import bootstrap_auroc
    from fedlearn_kit.privacy import attacks, coordinator, defences, evidence

    def flat(state: dict) -> np.ndarray:
        return np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in state.values()])

    def weights(model) -> np.ndarray:
        net = model.net if hasattr(model, "net") else model
        return flat({k: v.detach() for k, v in net.state_dict().items()})

    out: dict[str, np.ndarray] = {}
    exp = kit.Experiment()
    cohort = exp.cohort()
    out["cohort (numpy: exp, log, sampling)"] = np.concatenate(
        [df.select_dtypes("number").to_numpy(dtype=float).ravel() for df in cohort.values()])
    splits = kit.split_cohort(cohort, exp.test_fraction, exp.seed)
    future = kit.future_patients(cohort, 2000)
    population = kit.future_patients(cohort, 2000, stream=2)
    X = task.to_tensors(future["A"])[0].numpy().astype(np.float64)
    out["numpy BLAS: X @ X.T row sums, norms"] = np.concatenate(
        [(X @ X.T).sum(axis=1), np.linalg.norm(X, axis=1), X.T @ X.ravel()[:len(X)]])

    local = kit.fit_local(splits, exp)
    central = kit.fit_central(splits, exp)
    out["fit local A (lesson 02 logistic)"] = weights(local["A"])
    out["fit central (lesson 03)"] = weights(central)
    out["predict_proba local A on future A"] = local["A"].predict_proba(future["A"])
    out["bootstrap AUROC interval (lesson 02)"] = np.array(
        bootstrap_auroc(local["A"], splits["A"].test))
    mlp = kit.Experiment(model="mlp")
    out["fit local A (mlp 16)"] = weights(kit.fit_local(splits, mlp)["A"])

    target_exp = kit.Experiment(model="mlp", hidden=64, epochs=100, lr=0.1, batch_size=16,
                                seed=42)  # lesson 05's over-fitted target
    members, non_members = splits["A"].train, future["A"]
    target = kit.fit(members, target_exp, "local A")
    out["lesson 05 target mlp 64 weights"] = weights(target)
    out["lesson 05 target training losses"] = np.array(target.losses)
    loss = attacks.loss_attack(target, members, non_members)
    out["loss attack scores"] = loss.scores
    out["loss attack advantage"] = np.array([loss.advantage, loss.tpr_at(0.01)])
    found = evidence.evidence(loss, seed=42)
    out["evidence (held-out, null, CI)"] = np.array(
        [found.held_out_advantage, *found.held_out_advantage_ci, found.null_advantage_95,
         found.blind_tpr_at_least_as_high])
    shadows = attacks.shadow_models(population["A"], target_exp, num_shadow=8,
                                    train_size=len(members), seed=42)
    out["shadow models weights"] = np.concatenate([weights(s) for s in shadows])
    lira = attacks.lira_attack(target, members, non_members, shadows)
    out["LiRA z scores"] = lira.scores
    out["LiRA auc, advantage, tpr"] = np.array(
        [lira.auc, lira.advantage, lira.tpr_at(0.001), lira.tpr_at(0.01)])

    result, tap = coordinator.run_tapped(exp)
    out["federated FedAvg final weights"] = flat(result.state_dict)
    out["federated FedAvg site updates"] = np.concatenate(
        [flat(u["site"]) for u in tap.updates])
    sweep = attacks.reconstruction_sweep(splits["A"].train, batch_sizes=(1, 2, 8, 32, 128),
                                         local_epochs=(1, 5), seed=42)
    out["reconstruction sweep"] = sweep.to_numpy(dtype=float).ravel()

    dp_exp = kit.Experiment(epochs=30, lr=0.1, batch_size=16, seed=42)  # lesson 06
    private = defences.fit_dp(members, dp_exp, epsilon=1.0, reproducible=True,
                              announce=False)
    out["DP-SGD (opacus) weights"] = weights(private)
    out["DP-SGD noise multiplier, epsilon"] = np.array([private.noise_multiplier,
                                                        private.epsilon])
    record_dp, _ = coordinator.run_record_dp(exp, noise_multiplier=1.0, max_grad_norm=1.0,
                                             reproducible=True)
    out["federated + DP-SGD final weights"] = flat(record_dp.state_dict)
    central_dp = coordinator.run_central_dp(exp, noise_multiplier=1.0, clipping_norm=0.5,
                                            seed=42, reproducible=True)
    out["federated + central DP final weights"] = flat(central_dp.result.state_dict)
    return out


def compare(reference: dict[str, np.ndarray], other: dict[str, np.ndarray]) -> list[str]:
    """One line per computation: bit-identical, or the largest differences."""
    lines = []
    for key, ref in reference.items():
        value = other[key]
        if ref.shape != value.shape:
            lines.append(f"  {key}: shape {ref.shape} vs {value.shape}")
        elif np.array_equal(ref, value, equal_nan=True):
            lines.append(f"  {key}: bit-identical")
        else:
            diff = np.abs(ref - value)
            rel = diff / np.maximum(np.abs(ref), 1e-300)
            lines.append(f"  {key}: max |diff| {np.nanmax(diff):.3g}, max rel {np.nanmax(rel):.3g}"
                         f", {int(np.sum(diff > 0))} of {ref.size} values differ"
                         f"{' (moves at 3 decimals)' if _moves_at_3(ref, value) else ''}")
    return lines


def _moves_at_3(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.any(np.round(a, 3) != np.round(b, 3)))


def run_setting(name: str, folder: Path) -> tuple[dict[str, np.ndarray], float]:
    """Run :func:`probe` in a subprocess with the setting's environment."""
    target = folder / f"{name}.npz"
    env = {**os.environ, **SETTINGS[name], "FEDLEARN_PROGRESS": "0"}
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--probe", str(target)], env=env, check=True,
                   cwd=ROOT)
    seconds = time.perf_counter() - start
    with np.load(target) as data:
        return {key: data[key] for key in data.files}, seconds


def cost(repeats: int = 2) -> None:
    """CPU seconds of :func:`probe` with 32-bit and with 64-bit models, alternating."""
    import torch

    from fedlearn_app import task

    seconds: dict[str, list[float]] = {"float32": [], "float64": []}
    probe()  # warm up: imports, the cohort cache
    for _ in range(repeats):
        for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
            task.DTYPE = dtype
            start = time.process_time()
            probe()
            seconds[name].append(time.process_time() - start)
    for name, values in seconds.items():
        print(f"{name}: {min(values):.1f} CPU s (runs: "
              f"{', '.join(f'{v:.1f}' for v in values)})")
    print(f"64 bits cost {min(seconds['float64']) / min(seconds['float32']) - 1:+.0%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--cost", action="store_true",
                        help="time 32- against 64-bit models instead (CPU seconds)")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cost:
        cost()
        return 0
    if args.probe:
        np.savez(args.probe, **probe())  # type: ignore[arg-type]  # numpy stub: allow_pickle
        return 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load {load:.1f} at start, {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        reference, seconds = run_setting(args.settings[0], Path(scratch))
        print(f"{args.settings[0]} (reference): {seconds:.0f} s", flush=True)
        for name in args.settings[1:]:
            values, seconds = run_setting(name, Path(scratch))
            print(f"{name} vs {args.settings[0]} ({seconds:.0f} s):")
            print("\n".join(compare(reference, values)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
