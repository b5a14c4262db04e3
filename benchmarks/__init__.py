"""Performance figures against the course's targets (``make bench``), run from the course
folder as ``python -m benchmarks.<name>``: a package, so it wins over the unrelated
top-level ``benchmarks`` package that opacus installs, and its scripts can import
``tools.measure`` from the checkout."""
