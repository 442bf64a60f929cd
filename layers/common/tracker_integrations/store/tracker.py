"""The Tracker table: campaigns and their pitches, partitioned by user.

Keys: `USER#<sub>` / `CAMPAIGN#<id>` for a campaign and `USER#<sub>` / `PITCH#<campaign>#<id>` for
a pitch, so a campaign's pitches are one range query and every read is scoped to its owner by key.
Writes carry the version the caller read; a stale version fails instead of overwriting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from tracker_integrations.errors import AlreadyExists, NotFound, VersionConflict
from tracker_integrations.models.campaign import Campaign, Pitch
from tracker_integrations.store.dynamo import (
    PageRequest,
    deserialize,
    query_all,
    query_page,
    query_range,
    serialize,
    value,
)
from tracker_integrations.store.integrations import user_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import PutTypeDef, TransactWriteItemTypeDef

_TRANSACTION_LIMIT = 100
# Past every pitch's sort key: "PITCH#" then the highest code point a key can hold.
_PITCHES_END = "PITCH#\U0010ffff"


def campaign_sk(campaign_id: str) -> str:
    return f"CAMPAIGN#{campaign_id}"


def pitch_sk(campaign_id: str, pitch_id: str) -> str:
    return f"PITCH#{campaign_id}#{pitch_id}"


def _pitch_item(user_id: str, pitch: Pitch, written_by: str) -> dict[str, Any]:
    return {
        "pk": user_pk(user_id),
        "sk": pitch_sk(pitch.campaign_id, pitch.pitch_id),
        "entity": "pitch",
        "version": pitch.version,
        "written_by": written_by,
        "pitch": pitch.model_dump(mode="json"),
    }


class TrackerStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    # -- campaigns --------------------------------------------------------------------------------

    def get_campaign(self, user_id: str, campaign_id: str) -> Campaign | None:
        raw = self._get(user_id, campaign_sk(campaign_id))
        return None if raw is None else Campaign.model_validate(raw["campaign"])

    def list_campaigns(self, user_id: str, *, limit: int, cursor: str | None) -> tuple[list[Campaign], str | None]:
        items, next_cursor = self._page(user_id, "CAMPAIGN#", limit=limit, cursor=cursor)
        return [Campaign.model_validate(i["campaign"]) for i in items], next_cursor

    def put_campaign(
        self, user_id: str, campaign: Campaign, *, expected_version: int | None, written_by: str = "user"
    ) -> None:
        item = {
            "pk": user_pk(user_id),
            "sk": campaign_sk(campaign.campaign_id),
            "entity": "campaign",
            "version": campaign.version,
            "written_by": written_by,
            "campaign": campaign.model_dump(mode="json"),
        }
        self._conditional_put(item, expected_version, what="campaign")

    def delete_campaign(self, user_id: str, campaign_id: str, *, expected_version: int) -> int:
        """Delete the campaign (at `expected_version`) and all its pitches; returns pitches removed."""
        pitch_keys = [
            {"pk": {"S": user_pk(user_id)}, "sk": {"S": item["sk"]}}
            for item in self._all(user_id, f"PITCH#{campaign_id}#", projection="pk, sk")
        ]
        try:
            self._db.delete_item(
                TableName=self._table,
                Key={"pk": {"S": user_pk(user_id)}, "sk": {"S": campaign_sk(campaign_id)}},
                ConditionExpression="version = :expected",
                ExpressionAttributeValues={":expected": value(expected_version)},
            )
        except ClientError as exc:
            self._raise_conditional(exc, user_id, campaign_sk(campaign_id), "campaign")
        for start in range(0, len(pitch_keys), _TRANSACTION_LIMIT):
            chunk: list[TransactWriteItemTypeDef] = [
                {"Delete": {"TableName": self._table, "Key": key}}
                for key in pitch_keys[start : start + _TRANSACTION_LIMIT]
            ]
            self._db.transact_write_items(TransactItems=chunk)
        return len(pitch_keys)

    def all_pitches(self, user_id: str) -> list[Pitch]:
        return [Pitch.model_validate(i["pitch"]) for i in query_all(self._db, self._table, user_pk(user_id), "PITCH#")]

    def campaigns_and_pitches(self, user_id: str) -> tuple[list[Campaign], list[Pitch]]:
        """Every campaign and every pitch of the user, in one query: the partition holds nothing else and
        "CAMPAIGN#" sorts before "PITCH#", so one key range covers both (a sync reads them together)."""
        campaigns: list[Campaign] = []
        pitches: list[Pitch] = []
        for item in query_range(self._db, self._table, user_pk(user_id), "CAMPAIGN#", _PITCHES_END):
            sk = str(item["sk"])
            if sk.startswith("CAMPAIGN#"):
                campaigns.append(Campaign.model_validate(item["campaign"]))
            elif sk.startswith("PITCH#"):
                pitches.append(Pitch.model_validate(item["pitch"]))
        return campaigns, pitches

    # -- pitches ----------------------------------------------------------------------------------

    def get_pitch(self, user_id: str, campaign_id: str, pitch_id: str) -> Pitch | None:
        raw = self._get(user_id, pitch_sk(campaign_id, pitch_id))
        return None if raw is None else Pitch.model_validate(raw["pitch"])

    def list_pitches(
        self, user_id: str, campaign_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Pitch], str | None]:
        items, next_cursor = self._page(user_id, f"PITCH#{campaign_id}#", limit=limit, cursor=cursor)
        return [Pitch.model_validate(i["pitch"]) for i in items], next_cursor

    def put_pitch(self, user_id: str, pitch: Pitch, *, expected_version: int | None, written_by: str = "user") -> None:
        """Write a pitch. A new one checks, in the same transaction, that its campaign exists; an update is a
        single conditional put on the version (half the write cost of a transaction).

        `written_by` (the user, or the integration whose sync wrote it) rides along to the table's stream,
        so real time does not send a sync's own writes back to the same integration."""
        if expected_version is not None:
            self._conditional_put(_pitch_item(user_id, pitch, written_by), expected_version, what="pitch")
            return
        self.put_new_pitches(user_id, pitch.campaign_id, [pitch], written_by=written_by)

    def put_new_pitches(self, user_id: str, campaign_id: str, pitches: list[Pitch], *, written_by: str) -> None:
        """Create pitches of one campaign, a transaction per 99 with the campaign's existence check: an import
        of a thousand rows is eleven writes, not a thousand. A chunk is all or nothing."""
        check: TransactWriteItemTypeDef = {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": {"pk": {"S": user_pk(user_id)}, "sk": {"S": campaign_sk(campaign_id)}},
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        size = _TRANSACTION_LIMIT - 1
        for start in range(0, len(pitches), size):
            puts: list[TransactWriteItemTypeDef] = []
            for pitch in pitches[start : start + size]:
                put = {
                    "TableName": self._table,
                    "Item": serialize(_pitch_item(user_id, pitch, written_by)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
                puts.append({"Put": cast("PutTypeDef", put)})
            try:
                self._db.transact_write_items(TransactItems=[check, *puts])
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise NotFound("campaign not found") from exc
                raise AlreadyExists("a pitch with this id already exists") from exc

    def delete_pitch(self, user_id: str, campaign_id: str, pitch_id: str, *, expected_version: int) -> None:
        sk = pitch_sk(campaign_id, pitch_id)
        try:
            self._db.delete_item(
                TableName=self._table,
                Key={"pk": {"S": user_pk(user_id)}, "sk": {"S": sk}},
                ConditionExpression="version = :expected",
                ExpressionAttributeValues={":expected": value(expected_version)},
            )
        except ClientError as exc:
            self._raise_conditional(exc, user_id, sk, "pitch")

    # -- helpers ----------------------------------------------------------------------------------

    def _get(self, user_id: str, sk: str) -> dict[str, Any] | None:
        raw = self._db.get_item(
            TableName=self._table, Key={"pk": {"S": user_pk(user_id)}, "sk": {"S": sk}}, ConsistentRead=True
        ).get("Item")
        return None if raw is None else deserialize(raw)

    def _page(
        self, user_id: str, prefix: str, *, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        return query_page(self._db, self._table, user_pk(user_id), prefix, PageRequest(limit=limit, cursor=cursor))

    def _all(self, user_id: str, prefix: str, *, projection: str) -> list[dict[str, Any]]:
        return query_all(self._db, self._table, user_pk(user_id), prefix, projection=projection)

    def _conditional_put(self, item: dict[str, Any], expected_version: int | None, *, what: str) -> None:
        kwargs: dict[str, Any] = {}
        if expected_version is None:
            kwargs["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            kwargs["ConditionExpression"] = "version = :expected"
            kwargs["ExpressionAttributeValues"] = {":expected": value(expected_version)}
        try:
            self._db.put_item(TableName=self._table, Item=serialize(item), **kwargs)
        except ClientError as exc:
            user_id = str(item["pk"]).removeprefix("USER#")
            self._raise_conditional(exc, user_id, str(item["sk"]), what)

    def _raise_conditional(self, exc: ClientError, user_id: str, sk: str, what: str) -> None:
        if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise exc
        self._raise_conditional_for(user_id, sk, what, exc)

    def _raise_conditional_for(self, user_id: str, sk: str, what: str, exc: Exception) -> None:
        current = self._get(user_id, sk)
        if current is None:
            raise NotFound(f"{what} not found") from exc
        raise VersionConflict(
            f"this {what} was changed by someone else since you loaded it (now version {current['version']}); "
            "reload it and apply your change again",
            details={"current_version": current["version"], what: current[what]},
        ) from exc
