"""Composition root: settings, building the app, the CLI, the HTTP server and Socket Mode."""
