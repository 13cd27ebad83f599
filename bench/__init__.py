"""Ledger benchmarks: a province's month of declarations and a year-end interest run,
each printed beside a raw baseline measured in the same run on the same database.

``make bench`` (or ``python -m bench``) runs the full size on SQLite and PostgreSQL;
``python -m bench --help`` lists the options for a quick, smaller run.
"""
