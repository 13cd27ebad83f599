"""What the ledger tells other packages.

``interest_true_ups``: the yearly interest run found differences for closed individual
accounts (a provisional crediting before payout, now that the year's rate is published).
Sent inside the run's transaction with ``actor`` and ``true_ups`` (``InterestTrueUp``
rows); the clearance settles them on the case that paid the account out. A receiver that
raises undoes the whole run.

``arrears_fine_approved``: a supervisor approved a fine proposed for arrears (SIL Art.
86). Sent inside the decision's transaction with ``actor`` and ``proposal``; the
clearance posts it as the unit's fine, linked to the proposal, once.
"""

from django.dispatch import Signal

interest_true_ups = Signal()
arrears_fine_approved = Signal()
