"""The bottom layer: extensions, configuration, models, the database, vocabularies, the
clock, errors, caches and text checks. Imports nothing of ours from above."""
