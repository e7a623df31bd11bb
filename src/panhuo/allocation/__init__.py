"""Fair, explainable allocation of a branch's clients to its advisors (issue #17); knows nothing of Django.

`allocate(clients, advisors, settings)` takes the clients and advisors as Polars/Arrow tables or as `Client` /
`Advisor` dataclasses and returns an `Allocation`: every client's advisor with the reasons, every advisor's book
before and after, the objective and a lower bound. `greedy_allocate` is what a director would do by hand, kept
as the benchmark's peer. The model, its terms and their defaults: docs/allocation.md.
"""

from panhuo.allocation.engine import InfeasibleAllocation, allocate
from panhuo.allocation.greedy import greedy_allocate
from panhuo.allocation.inputs import Advisor, Client
from panhuo.allocation.result import Allocation
from panhuo.allocation.settings import Settings

__all__ = ["Advisor", "Allocation", "Client", "InfeasibleAllocation", "Settings", "allocate", "greedy_allocate"]
