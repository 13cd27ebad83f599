from django.utils.translation import gettext_lazy as _

from shebao.core.errors import InvalidInput


class PolicyError(ValueError):
    """A policy pack that cannot be loaded: names the file, the key and the problem."""

    def __init__(self, file, key, problem):
        self.file = str(file)
        self.key = key
        self.problem = problem
        super().__init__(f"{self.file}: {key}: {problem}")


class NoPolicyValue(InvalidInput, LookupError):
    """The loaded packs hold no value for what was asked (a year before the first
    published figure, a date before a rate came into force, an unknown region).

    A request that asks for such a value is answered 422 with this message rather than
    with a guess; callers that can name the offending field re-raise with ``fields``.
    """

    default_code = "no_policy_value"
    default_message = _("The policy in force holds no value for this date or region.")
