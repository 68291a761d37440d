"""Documents made from the domain: the action plan PDF and the overview across courses."""
