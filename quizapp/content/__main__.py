"""python -m quizapp.content <命令>: check, impact, import-excel, export (see cli.py)."""
import sys

from .cli import main

sys.exit(main())
