"""Tests of the statistics: tallies, figures as read, the rebuild, on both databases."""
