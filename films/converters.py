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
