"""``/desk/persons/`` and ``/desk/units/``: finding, reading and registering insured
persons, units and employments, through the registry's selectors and services."""
