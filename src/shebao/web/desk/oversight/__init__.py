"""Oversight of the agency: the supervisors' dashboard, the audit trail and the
administrators' user accounts (``/desk/dashboard/``, ``/desk/audit/``, ``/desk/users/``)."""
