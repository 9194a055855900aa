"""The one exception a user can cause (bad arguments, config, catalogs, paths).

It lives in `memory`, the bottom layer, so every room can raise it; the CLI
catches it once and prints its message as a single line with exit code 2.
Bugs are not UserErrors: they stay tracebacks.
"""


class UserError(Exception):
    """Something the user can fix; the message says what and how, in one line."""
