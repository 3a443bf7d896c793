"""The `warmstart` command line: the composition root that wires services to the core."""
