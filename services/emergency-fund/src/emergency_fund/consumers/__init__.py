"""Event handlers: translate incoming events into use-case calls."""
