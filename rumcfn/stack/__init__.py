"""Settings -> troposphere Template: pure, no AWS calls."""
