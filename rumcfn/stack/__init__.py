"""Settings -> troposphere Template: pure, no AWS calls; :mod:`.assemble` calls each builder in order."""
