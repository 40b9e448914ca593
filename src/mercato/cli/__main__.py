"""`python -m mercato.cli`: the `mercato` command without its console script."""

from mercato.cli import main

main()
