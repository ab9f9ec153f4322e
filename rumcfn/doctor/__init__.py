"""``rumcfn doctor``: why a RUM console shows no data, one check per cause, each with its fix."""
