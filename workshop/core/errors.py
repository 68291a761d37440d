"""The one exception the domain raises for a request it refuses."""


class WorkshopError(Exception):
    """A refused request, with a message meant for the person who made it.

    `code` lets a view react to a kind of refusal (e.g. offer to confirm a CPR-like text).
    """

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
