"""The branch simulator: a market, a client book and the ground truth they were drawn from (issue #3).

Pure numpy/pyarrow; it knows nothing of Django. `simulate(SimConfig(...), out_dir)` writes the canonical tables
as Parquet plus `truth.parquet`, and with `export=True` the back office's GB18030 CSV files.
"""

from panhuo.simulate.config import SimConfig, SimSummary
from panhuo.simulate.run import simulate

__all__ = ["SimConfig", "SimSummary", "simulate"]
