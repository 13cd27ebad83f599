"""What the ledger tells other packages.

``interest_true_ups``: the yearly interest run found differences for closed individual
accounts (a provisional crediting before payout, now that the year's rate is published).
Sent inside the run's transaction with ``actor`` and ``true_ups`` (``InterestTrueUp``
rows); the clearance settles them on the case that paid the account out. A receiver that
raises undoes the whole run.
"""

from django.dispatch import Signal

interest_true_ups = Signal()
