"""The bottom layer: extensions, models, the database set-up, vocabularies, the clock,
errors, the rendered-PDF cache, text checks and message catalogues. Imports nothing of ours
from above."""
