"""The Tracker table's stream as the TrackerChanges function receives it (DynamoDB's NEW_IMAGE view).

Its own module, apart from the push channels' models: a sync job loads those (its Drive channel) and
never reads the stream, so it does not build these six models.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.push import TrackerChange


class _StringAttribute(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    S: str


class _StreamImage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    written_by: _StringAttribute | None = None


class _StreamKeys(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    pk: _StringAttribute
    sk: _StringAttribute


class _StreamChange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    Keys: _StreamKeys
    NewImage: _StreamImage | None = None


class TrackerStreamRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    eventName: Literal["INSERT", "MODIFY", "REMOVE"]  # noqa: N815 (the stream's own field name)
    dynamodb: _StreamChange


class TrackerStreamEvent(BaseModel):
    """A batch from the Tracker table's stream (NEW_IMAGE view)."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    Records: list[TrackerStreamRecord]

    def changes(self) -> list[TrackerChange]:
        """Campaign and pitch changes, by user and writer (a delete has no image: its writer is the user)."""
        changes = []
        for record in self.Records:
            keys = record.dynamodb.Keys
            if not keys.pk.S.startswith("USER#") or not keys.sk.S.startswith(("CAMPAIGN#", "PITCH#")):
                continue
            image = record.dynamodb.NewImage
            writer = image.written_by.S if image is not None and image.written_by is not None else "user"
            changes.append(TrackerChange(user_id=keys.pk.S.removeprefix("USER#"), written_by=writer))
        return changes
