"""Infrastructure, the bottom layer: settings and paths, argument checks, layer lookup,
errors, and the registry of downloadable sources. It imports nothing else of ``helpers``."""
