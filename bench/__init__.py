"""rootctl's benchmarks (issue 6): ``python -m bench`` runs them and rewrites bench/RESULTS.md."""
