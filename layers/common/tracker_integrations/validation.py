"""Turning outside data into models, with errors that name each field and what is wrong with it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from tracker_integrations.errors import ValidationFailed


def describe(errors: list[Any]) -> tuple[str, list[dict[str, str]]]:
    described = [
        {"field": ".".join(str(part) for part in e["loc"]) or "body", "message": str(e["msg"])} for e in errors
    ]
    return "; ".join(f"{d['field']}: {d['message']}" for d in described), described


def parse_model[ModelT: BaseModel](model: type[ModelT], data: object) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message, described = describe(exc.errors())
        raise ValidationFailed(message, details={"errors": described}) from exc
