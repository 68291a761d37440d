"""The bottom layer: extensions, the settings (config.py, read once from the environment),
models, the database set-up, vocabularies (incl. the method's step numbers), the clock,
errors, the rendered-PDF cache, text checks and message catalogues. Imports nothing of ours
from above."""
