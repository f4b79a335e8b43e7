"""Dramatiq set-up and thin actors: ids in, one domain service call, nothing else."""
