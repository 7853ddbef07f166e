"""`python -m bench` (what `make bench` runs): the benchmark of bench/run.py."""

from bench.run import main

main()
