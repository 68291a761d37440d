"""Entry points besides the web: the `flask` commands, the demo data, serving on the LAN."""
