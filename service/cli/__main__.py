"""`python -m service.cli`: the `portal` command."""

from service.cli import main

main()
