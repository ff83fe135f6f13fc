"""Charts of the trends report (matplotlib, Agg, PNG): reads only the core's report model."""
