"""Serving under load: the settings and URLs the served bench runs with, and the locust
users that drive it (``python -m bench.serve``)."""
