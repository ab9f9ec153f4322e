"""The one place that knows what a valid setting is."""
