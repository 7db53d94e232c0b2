"""The ``ledger`` command line with my own plugins registered.

Run it like the ``ledger`` command: ``python my_ledger.py sync example_bank``.
"""

from example_bank import ExampleBank

from ledger import register
from ledger.cli.app import main

register(ExampleBank)

if __name__ == "__main__":
    main()
