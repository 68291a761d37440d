"""Samskabt below the app factory, in layers (README, "Map of the code"), lowest first:

- `workshop.core`: extensions, models, database set-up, vocabularies, clock, errors, caches,
  text checks and message catalogues;
- the modules directly in `workshop/`: the domain, one module per feature, plain functions
  that views, commands and tests call;
- `steps/`, beside this package: the six steps of the method;
- `workshop.reports` and `workshop.exchange`: documents and formats made from the domain;
- `workshop.web` and `workshop.commands`: the web layer and the `flask` commands.

Imports point down, never in a circle (tests/test_layering.py).
"""
