"""Evidence files: the documents behind learning outcomes, stored once by content hash."""
