"""The workshop domain: courses, participants, cards and votes."""
