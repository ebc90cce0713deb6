"""Skills: what occupations require (the built-in set: each main task of China's 2022
classification), imported with their provenance, and read by the other areas through ``api``."""
