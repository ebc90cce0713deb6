"""Alliances of credit banks: this bank joining (four eyes) and leaving an alliance under one
agreement, each logged; its members; the public list of the bank's alliances."""
