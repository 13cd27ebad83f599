"""``/unit/``: the portal of a unit's representative (its employees, declarations,
arrears and statements), on a phone as on a desk."""
