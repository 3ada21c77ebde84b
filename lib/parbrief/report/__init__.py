"""What a brief shows: figures (seaborn), findings in words (vi/en), number formatting."""
