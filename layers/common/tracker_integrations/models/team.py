"""Who is asking: a member of an account (a team, or a user on their own) with a role in it.

Tracker's JWT names the member (`sub`), the team account they act in (`team_id`, absent for a user on
their own) and their role there (`team_role`). Everything a team owns (connections, campaigns, logs,
notifications, the plan) is keyed by the account id, so every member reads the same data and a user
outside the team reaches none of it.
"""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: "Role") -> bool:
        return self.rank >= needed.rank

    def who_may(self) -> str:
        """The roles that hold this one's rights, in words: "an owner or admin"."""
        names = [role.value for role in Role if role.allows(self)]
        names.reverse()
        return "an " + " or ".join(names) if names[0][0] in "aeiou" else "a " + " or ".join(names)


_RANK = {Role.MEMBER: 0, Role.ADMIN: 1, Role.OWNER: 2}

# The JWT claims read (documented in README "Teams and roles").
TEAM_CLAIM = "team_id"
ROLE_CLAIM = "team_role"
OPERATOR_CLAIM = "operator"

_TEAM_PREFIX = "team:"
_ID_PATTERN = r"^[A-Za-z0-9._@:-]{1,128}$"


class Identity(BaseModel):
    """The verified caller: never taken from a path, query or body."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    user_id: str = Field(min_length=1, max_length=256)
    team_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    role: Role = Role.OWNER  # a user on their own owns their account
    operator: bool = False  # Tracker's own staff: usage analytics

    @field_validator("user_id")
    @classmethod
    def _not_a_team_key(cls, user_id: str) -> str:
        if user_id.startswith(_TEAM_PREFIX):
            raise ValueError("a user id cannot take a team account's form")
        return user_id

    @property
    def account_id(self) -> str:
        """Whose resources these are: the team's when acting in one, else the user's own.

        A team id lives in its own key space (`team:`), so no user name can collide with a team."""
        return f"{_TEAM_PREFIX}{self.team_id}" if self.team_id else self.user_id
