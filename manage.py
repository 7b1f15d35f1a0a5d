#!/usr/bin/env python
"""Django's manage.py, for habit; ``despatch`` is the same command."""

from despatch.cli import main

if __name__ == "__main__":
    main()
