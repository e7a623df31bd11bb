"""Ranking a campaign's contacts by what a contact is expected to bring: the uplift estimate (measure/uplift.py's
PersuasionUplift, fitted on an earlier randomised campaign) × the client's value − the cost of the contact.

Dormancy ranks clients by how long they have been quiet; the uplift model ranks them by how much more likely a
contact makes them resume than silence would (docs/campaigns.md, *Uplift targeting*). Pure numpy (no Django).
"""

from __future__ import annotations

import numpy as np

from panhuo.measure.uplift import PersuasionUplift


def expected_net(*, X_train, treated_train, y_train, X_new, value, cost: float) -> np.ndarray:
    """Expected incremental reactivation × value − cost for each new client (CNY); ValueError when the earlier
    campaign is too small to learn from (each group needs 20 members and both outcomes)."""
    model = PersuasionUplift().fit(np.asarray(X_train, float), np.asarray(treated_train, bool),
                                   (np.asarray(y_train, float) > 0).astype(int))
    uplift = model.predict(np.asarray(X_new, float))
    return uplift * np.asarray(value, float) - cost
