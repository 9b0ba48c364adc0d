"""Benchmarks run by `scripts/bench`: latency, request budgets, setup cost, against the simulators.

A benchmark is an async function returning `Metric`s, registered with `@benchmark("name")` in a
module listed in `benchmarks.runner.MODULES`.
"""
