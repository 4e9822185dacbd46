"""`python -m pestdata.cli`: the `pestdata` command, where no script is on the PATH."""

from pestdata.cli.main import main

main()
