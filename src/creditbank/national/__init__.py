"""The national platform: batches of references from regional banks and pilot schools, counted
once, and the figures they answer, with small counts suppressed; and a regional bank's side,
sending its references."""
