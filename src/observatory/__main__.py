"""``python -m observatory``, and a ``.py`` file for ``spark-submit`` (which runs a Python
application only from a file ending in .py): see docs/spark.md."""

from observatory.cli import app

if __name__ == "__main__":
    app()
