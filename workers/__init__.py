"""Dramatiq broker set-up and thin actors that call domain services (jobs arrive with later issues)."""
