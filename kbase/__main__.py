"""`python -m kbase`: the same as the `kbase` command."""

from .cli import main

main()
