"""Campaign measurement, Django-free: holdout split, lift and its interval, per-member outcomes from the
analytical store, the report, the incentive, uplift targeting and the simulator calibration.

The campaigns app (panhuo.campaigns) is its page and store: it keeps members and outcomes in the operational
store and calls these functions; they run the same from the CLI, a job, a notebook or a benchmark.
"""
