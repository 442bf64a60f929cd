"""botocore's data for the AWS services our clients call, cut to what a Lambda cold start needs.

Creating the first client makes botocore list every service folder in its data (about 400, each
looked into: thousands of `stat` calls), read `endpoints.json` (1.2 MB: every service in every
partition) and the service's model with its documentation: more than half of a cold start's first
DynamoDB client, paid again by every function in every new container. The folder written here holds
the data of the services in `SERVICES` only: every partition and region of `endpoints.json` but only
those services in it, the latest model of each without its documentation strings (nothing reads
them at run time), and the rest of their files (endpoint rule sets, paginators, retry rules,
defaults) as botocore ships them. The composition root's session reads this folder instead of
botocore's own.

The files are generated from the botocore that is installed, never edited: `make install` writes
them for the dev venv and `make build` for the botocore inside the built layer, each under a folder
named after that botocore's version. A process whose botocore has no folder of its own (a version
bumped without a rebuild) reads botocore's data as shipped: slower, never different.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# The services the composition root creates clients for (wiring.Root._client refuses any other).
SERVICES = ("dynamodb", "kms", "sqs")

DATA_ROOT = Path(__file__).parent / "_botocore_data"


def data_path(version: str) -> str | None:
    """The folder written for botocore `version`, or None when there is none (read botocore's own)."""
    folder = DATA_ROOT / version
    return str(folder) if (folder / "endpoints.json").is_file() else None


def write(source: Path, target: Path) -> list[Path]:
    """Write the cut data from botocore's data folder `source` into `target`; the files written.

    `endpoints.json` goes last: `data_path` takes its presence to mean the folder is complete."""
    written = []
    for service in SERVICES:
        version = _latest_api_version(source / service)
        model = _without_documentation(_read(source / service / version / "service-2"))
        written.append(_write_json(target / service / version / "service-2.json", model))
        for shipped in sorted((source / service / version).iterdir()):
            if not shipped.name.startswith(("service-2.", "examples-")):  # examples: documentation only
                written.append(_copy(shipped, target / service / version / shipped.name))
    for shipped in sorted(source.iterdir()):
        if (
            shipped.is_file()
            and shipped.name.endswith((".json", ".json.gz"))
            and not shipped.name.startswith("endpoints.")
        ):
            written.append(_copy(shipped, target / shipped.name))
    written.append(_write_json(target / "endpoints.json", _endpoints(_read(source / "endpoints"))))
    return written


def _endpoints(endpoints: dict[str, Any]) -> dict[str, Any]:
    for partition in endpoints["partitions"]:
        partition["services"] = {k: v for k, v in partition["services"].items() if k in SERVICES}
    return endpoints


def _without_documentation(model: dict[str, Any]) -> dict[str, Any]:
    model.get("metadata", {}).pop("documentation", None)
    model.pop("documentation", None)
    for operation in model["operations"].values():
        operation.pop("documentation", None)
        operation.pop("documentationUrl", None)
    for shape in model["shapes"].values():
        shape.pop("documentation", None)
        for member in shape.get("members", {}).values():
            member.pop("documentation", None)
    return model


def _latest_api_version(service_dir: Path) -> str:
    # As botocore's loader picks it: the highest API version that has a service model.
    versions = sorted(p.name for p in service_dir.iterdir() if _model_file(p / "service-2") is not None)
    if not versions:
        raise FileNotFoundError(f"no service model under {service_dir}")
    return versions[-1]


def _model_file(stem: Path) -> Path | None:
    for candidate in (stem.with_suffix(".json"), stem.with_suffix(".json.gz")):
        if candidate.is_file():
            return candidate
    return None


def _read(stem: Path) -> dict[str, Any]:
    path = _model_file(stem)
    if path is None:
        raise FileNotFoundError(f"{stem}.json(.gz) is not in botocore's data")
    import gzip  # only when writing: a cold start reads the written files, never this

    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    data: dict[str, Any] = json.loads(raw)
    return data


def _write_json(path: Path, data: dict[str, Any]) -> Path:
    return _write_bytes(path, json.dumps(data, separators=(",", ":"), sort_keys=True).encode())


def _copy(source: Path, path: Path) -> Path:
    return _write_bytes(path, source.read_bytes())


def _write_bytes(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")  # a reader never sees half a file
    partial.write_bytes(content)
    partial.replace(path)
    return path


def main() -> int:
    """`python -m tracker_integrations.botocore_data`: write the data for the botocore this interpreter imports."""
    import botocore

    target = DATA_ROOT / botocore.__version__
    written = write(Path(botocore.__file__).parent / "data", target)
    size = sum(p.stat().st_size for p in written)
    print(f"botocore {botocore.__version__}: {len(written)} files, {size // 1024} KB in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
