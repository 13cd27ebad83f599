"""The demo agency that ``make run`` builds: sample staff, public users, units, persons,
employments, declarations, clearance cases and pension rights, all through the services.

``agency`` builds the whole agency (``agency.build``) and calls ``clearance`` and
``pension`` for their parts; ``base`` holds what they share. The demo sits above every
domain package; only the ``demo`` and ``serve`` commands import it. This module stays
empty: Django imports it with the app registry, before any model can be imported.
"""
