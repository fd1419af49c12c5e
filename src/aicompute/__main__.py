"""``python -m aicompute``: the same as the ``aicompute`` command."""

from aicompute.cli import main

if __name__ == "__main__":
    main()
