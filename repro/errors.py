"""The project's one user-error type: what a user can fix (bad params, a missing input, a malformed file)."""


class UserError(ValueError):
    """A problem the user can fix, always one line that names its cause (the CLI prints it and exits 2)."""
