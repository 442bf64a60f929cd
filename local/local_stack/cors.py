"""API Gateway's CORS answers for the HTTP API, from template.yaml's CorsConfiguration.

API Gateway answers a preflight itself (no route, no authorizer runs) and adds the CORS headers to
every response for an allowed origin; a disallowed origin gets no CORS headers, so the browser
refuses the response. The local stack does the same from the same template keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from local_stack.template import resources


@dataclass(frozen=True)
class CorsPolicy:
    origins: frozenset[str]
    credentials: bool
    methods: tuple[str, ...]
    headers: tuple[str, ...]
    expose: tuple[str, ...]
    max_age: int

    @classmethod
    def from_template(cls, parameters: dict[str, str]) -> CorsPolicy | None:
        """The HttpApi's CorsConfiguration, with `!Ref` parameters resolved from `parameters`."""
        (api,) = resources("AWS::Serverless::HttpApi").values()
        config: dict[str, Any] | None = api["Properties"].get("CorsConfiguration")
        if config is None:
            return None

        def resolve(value: Any) -> str:
            return parameters[value["Ref"]] if isinstance(value, dict) else str(value)

        return cls(
            origins=frozenset(resolve(o) for o in config.get("AllowOrigins", [])),
            credentials=bool(config.get("AllowCredentials", False)),
            methods=tuple(str(m).upper() for m in config.get("AllowMethods", [])),
            headers=tuple(str(h).lower() for h in config.get("AllowHeaders", [])),
            expose=tuple(str(h).lower() for h in config.get("ExposeHeaders", [])),
            max_age=int(config.get("MaxAge", 0)),
        )

    def preflight(self, request: Request) -> Response | None:
        """The answer to a CORS preflight, or None when the request is not one."""
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
            return None
        response = Response(status=204)
        origin = request.headers.get("Origin", "")
        wanted = request.headers["Access-Control-Request-Method"].upper()
        if origin in self.origins and wanted in self.methods:
            self._allow(origin, response)
            response.headers["Access-Control-Allow-Methods"] = ",".join(self.methods)
            response.headers["Access-Control-Allow-Headers"] = ",".join(self.headers)
            response.headers["Access-Control-Max-Age"] = str(self.max_age)
        return response

    def decorate(self, request: Request, response: Response) -> Response:
        origin = request.headers.get("Origin", "")
        if origin in self.origins:
            self._allow(origin, response)
            if self.expose:
                response.headers["Access-Control-Expose-Headers"] = ",".join(self.expose)
        return response

    def _allow(self, origin: str, response: Response) -> None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers.add("Vary", "Origin")
        if self.credentials:
            response.headers["Access-Control-Allow-Credentials"] = "true"
