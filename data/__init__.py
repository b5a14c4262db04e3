"""The default synthetic cohort (lesson 01), installed as the package data ``fedlearn_kit.data``.

The files live in the course's top-level ``data/`` folder, where a learner looks for them;
``pyproject.toml`` maps this folder to ``fedlearn_kit.data`` so an installed kit ships them
too. ``make data`` (``fedlearn-kit data --out data``) regenerates them from the default seed.
"""
