"""`python -m retrolean`: the same command line as the `retrolean` console script."""

from retrolean.agent.cli import main

main()
