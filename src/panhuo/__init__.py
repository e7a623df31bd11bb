"""panhuo (盘活): client service and dormant-client reactivation for a securities brokerage branch."""

__version__ = "0.1.0"
