"""``python -m archiver`` runs the ``tgmirror`` command line."""

from archiver.cli import main

main()
