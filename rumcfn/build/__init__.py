"""Settings -> troposphere Template, pure: :mod:`.stack` assembles the builders of each concern."""
