"""镇街综合行政执法教程 — training and exam service.

Design
------
Layers (imports only go downwards):

- ``quizapp.domain``   plain rules, standard library only: the procedure and
  volumes, answer checking, practice selection.
- ``quizapp.content``  the handbook, statute corpus and question bank as files;
  the content checker; used by the MkDocs hook and by the bank loader.
- ``quizapp.models`` / ``quizapp.db``  SQLModel tables and the engine
  (SQLite by default, PostgreSQL via DATABASE_URL); Alembic migrations in
  ``quizapp/migrations``.
- service modules, one per concern: ``accounts`` (users, passwords, login
  sessions), ``bank`` (question bank -> database), ``practice`` (answers and
  progress). They take a database session and keyword arguments and never
  import FastAPI.
- ``quizapp.web``  FastAPI routes (thin), Jinja2 templates, static files; it
  serves the built handbook at ``/``.
- ``quizapp.cli``  ``python -m quizapp setup|serve|create-user``.
"""
