"""The public pages that need no login: the clearance guide and the check of a
document's verification code."""
