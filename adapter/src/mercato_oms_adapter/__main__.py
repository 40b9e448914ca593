"""``python -m mercato_oms_adapter``: the same as the ``mercato-oms-adapter`` command."""

from mercato_oms_adapter.cli import main

main()
