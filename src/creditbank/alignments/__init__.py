"""Alignments of catalogue items (at a framework level or at any) to skills: proposed from the
skills' suggestions, drafted, approved by four eyes, versioned and logged; the sets in force."""
