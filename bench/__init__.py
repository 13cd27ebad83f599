"""Ledger benchmarks: a province's month of declarations and a year-end interest run,
each printed beside a raw baseline measured in the same run on the same database, and the
API served under concurrent users.

``make bench`` (or ``python -m bench``) runs the full size on SQLite and PostgreSQL;
``python -m bench --scale`` runs several sizes to show how time grows with them;
``python -m bench.serve`` (``make bench-serve``) drives the served API with locust.
``--help`` lists the options for a quick, smaller run.
"""
