"""The application object for uvicorn workers: ``quizapp.web.main:app``.

The garbage collector is set for a worker that serves thousands of
examinees (quizapp/long_lived.py): what the worker built at start is frozen,
and collections run less often.
"""
from .. import long_lived
from .app import create_app

app = create_app()
long_lived.settle()
