"""Speed benchmarks and the realistic data they run on (see bench_list.py)."""
