"""What leaks from models and updates, and what protects against it (lessons 05 and 06).

``attacks`` measures leakage (membership inference, recovering a partner's update,
reconstructing a record from an update); ``evidence`` puts an attack's figures beside their
uncertainty (held-out thresholds, intervals, a blind-attack baseline); ``defences`` trains
with differential privacy, asks a real accountant for the privacy budget and bounds what
any attack can reach; ``plots`` draws the figures of both lessons. ``coordinator`` (imported
on its own: it loads Flower) runs federations with a tap at the coordinator and measures
what the coordinator sees, with and without DP.
"""

from fedlearn_kit.privacy import attacks, defences, evidence, plots

__all__ = ["attacks", "defences", "evidence", "plots"]
