"""The web layer: the blueprints (one module per area; the steps' routes in web/steps), their
forms, the template helpers, and what wraps every response (rate limits, headers,
compression). `workshop.web.registration.register_web(app)` puts it all on an app.

This package's own module stays empty: importing any web module runs it first, and were it
to import the views, importing one form would import every view and step.
"""
