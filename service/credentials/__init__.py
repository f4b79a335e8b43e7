"""Every certificate also an Open Badges 3.0 credential: built, signed, published status, verified."""
