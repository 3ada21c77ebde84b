"""Statistics on index scores: trends, differences between units, ratings. Pure functions."""
