"""What leaks from models and updates, and what protects against it (lessons 05 and 06).

``attacks`` measures leakage (membership inference, recovering a partner's update,
reconstructing a record from an update); ``defences`` trains with differential privacy and
asks a real accountant for the privacy budget; ``plots`` draws the figures of both lessons.
"""

from fedlearn_kit.privacy import attacks, defences, plots

__all__ = ["attacks", "defences", "plots"]
