"""The web layer: FastAPI routes (thin), Jinja2 templates, static files."""
