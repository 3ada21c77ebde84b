"""Reading, normalizing, validating and storing index scores (the leftmost layer)."""
