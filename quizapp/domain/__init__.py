"""Domain rules: plain functions and constants, standard library only."""
