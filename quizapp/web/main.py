"""The application object for uvicorn workers: ``quizapp.web.main:app``."""
from .app import create_app

app = create_app()
