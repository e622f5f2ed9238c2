"""Path converters for the closed sets in URLs."""

from .models import Credit


class RoleConverter:
    """A credit role, hyphenated as URLs are: `production-designer`. Anything else is not a
    role, and its URL matches no page (404)."""

    # Grouped, so that the OpenAPI description's pattern (^...$) holds for every role.
    regex = "(?:{})".format("|".join(role.replace("_", "-") for role in Credit.Role.values))

    def to_python(self, value):
        return Credit.Role(value.replace("-", "_"))

    def to_url(self, value):
        return Credit.Role(value).replace("_", "-")


class ItemIdConverter:
    """The id of a trivia item, story or review: a positive number a database id can hold.
    `0`, leading zeros and longer numbers match no page (404), never a database error."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
