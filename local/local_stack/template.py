"""template.yaml as data: the routes, tables and keys the local stack and the tests build from.

Reading the deployed template (rather than a copy of its facts) is what keeps the local stack and
the tests from drifting away from what `sam deploy` creates.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsics (!Ref, !Sub, !GetAtt ...) kept as data."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        scalar = loader.construct_scalar(node)
        payload: Any = scalar.split(".", 1) if suffix == "GetAtt" else scalar
    elif isinstance(node, yaml.SequenceNode):
        payload = loader.construct_sequence(node, deep=True)
    else:
        payload = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: payload}


_CfnLoader.add_multi_constructor("!", _intrinsic)


class HandlerRef(BaseModel):
    """Where a function's code is: its CodeUri folder and `module.function` handler."""

    model_config = ConfigDict(frozen=True)

    code_uri: str
    handler: str

    @property
    def module(self) -> str:
        """Import path of the handler module, e.g. functions.integrations_api.app."""
        package = self.code_uri.strip("/").replace("/", ".")
        return f"{package}.{self.handler.rsplit('.', 1)[0]}"

    @property
    def function_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


class Route(HandlerRef):
    model_config = ConfigDict(frozen=True)

    function: str  # logical id
    method: str
    path: str  # API Gateway form: /api/integrations/{provider}
    authorized: bool


@lru_cache(maxsize=1)
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open() as handle:
        data = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506  # SafeLoader subclass
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a CloudFormation template")
    return data


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in load_template()["Resources"].items() if res.get("Type") == kind}


def functions() -> dict[str, dict[str, Any]]:
    return resources("AWS::Serverless::Function")


def routes() -> list[Route]:
    found: list[Route] = []
    for name, function in functions().items():
        props = function["Properties"]
        for event in props.get("Events", {}).values():
            if event.get("Type") != "HttpApi":
                continue
            event_props = event["Properties"]
            auth = event_props.get("Auth", {})
            found.append(
                Route(
                    function=name,
                    method=str(event_props["Method"]).upper(),
                    path=str(event_props["Path"]),
                    authorized=auth.get("Authorizer") != "NONE",
                    code_uri=str(props["CodeUri"]),
                    handler=str(props["Handler"]),
                )
            )
    return found


class QueueConsumer(HandlerRef):
    function: str
    queue: str  # logical id
    batch_size: int


def queue_consumers() -> list[QueueConsumer]:
    found: list[QueueConsumer] = []
    for name, function in functions().items():
        props = function["Properties"]
        for event in props.get("Events", {}).values():
            if event.get("Type") != "SQS":
                continue
            found.append(
                QueueConsumer(
                    function=name,
                    queue=str(event["Properties"]["Queue"]["Fn::GetAtt"][0]),
                    batch_size=int(event["Properties"].get("BatchSize", 10)),
                    code_uri=str(props["CodeUri"]),
                    handler=str(props["Handler"]),
                )
            )
    return found


class StreamConsumer(HandlerRef):
    function: str
    table: str  # logical id
    batch_size: int
    max_retries: int


def stream_consumers() -> list[StreamConsumer]:
    """The template's DynamoDB stream event sources."""
    found: list[StreamConsumer] = []
    for name, function in functions().items():
        props = function["Properties"]
        for event in props.get("Events", {}).values():
            if event.get("Type") != "DynamoDB":
                continue
            event_props = event["Properties"]
            found.append(
                StreamConsumer(
                    function=name,
                    table=str(event_props["Stream"]["Fn::GetAtt"][0]),
                    batch_size=int(event_props.get("BatchSize", 100)),
                    max_retries=int(event_props.get("MaximumRetryAttempts", 0)),
                    code_uri=str(props["CodeUri"]),
                    handler=str(props["Handler"]),
                )
            )
    return found


class Schedule(HandlerRef):
    function: str
    name: str
    rate_seconds: int
    input: dict[str, Any]


_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def schedules() -> list[Schedule]:
    """The template's EventBridge Scheduler events (rate expressions), with their inputs."""
    import json

    found: list[Schedule] = []
    for name, function in functions().items():
        props = function["Properties"]
        for event_name, event in props.get("Events", {}).items():
            if event.get("Type") != "ScheduleV2":
                continue
            event_props = event["Properties"]
            amount, unit = str(event_props["ScheduleExpression"]).removeprefix("rate(").removesuffix(")").split()
            found.append(
                Schedule(
                    function=name,
                    name=event_name,
                    rate_seconds=int(amount) * _UNITS[unit],
                    input=json.loads(event_props.get("Input", "{}")),
                    code_uri=str(props["CodeUri"]),
                    handler=str(props["Handler"]),
                )
            )
    return found


def global_environment() -> dict[str, Any]:
    variables = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    return dict(variables)
