"""retrolean: verified synthetic data that makes R1-style models easy to prompt.

The repository root is this package: its top-level folders are the subpackages
(`retrolean.agent`, `retrolean.tools`, `retrolean.skills`, `retrolean.recipes`,
`retrolean.memory`, `retrolean.traces`, `retrolean.evals`), so the folder layout
is the architecture while the only name installed into site-packages is
`retrolean`. Kept free of imports: importing a subpackage costs only what it needs.
"""

__version__ = "0.1.0"
