"""Working-day calendar, deadline sweep, alert delivery and APScheduler wiring."""
