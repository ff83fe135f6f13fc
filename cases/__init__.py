"""The complaint itself: policy, lifecycle, intake, access rules and use cases.

Pure Python. Nothing in this package may import Slack, SQLAlchemy or read the
environment; adapters call in, and the ports in ``cases.ports`` are implemented
outside.
"""
