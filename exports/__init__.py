"""The trends report as files (CSV, XLSX, JSON): counts and labels only, no personal data."""
