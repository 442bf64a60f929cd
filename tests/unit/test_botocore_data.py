"""The cut botocore data: clients built from it call the same endpoints, sign the same way and know the
same operations as clients built from botocore's own data; the composition root reads it only when it
was written for the botocore it runs with."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import botocore
import botocore.loaders
import botocore.session
import pytest
from pydantic import AnyHttpUrl

from tracker_integrations import botocore_data, wiring
from tracker_integrations.config import Settings

BOTOCORE_DATA = Path(botocore.__file__).parent / "data"
# One region of every partition botocore knows, and a few of the main one.
REGIONS = ("eu-west-2", "us-east-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1", "us-iso-east-1")


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("botocore-data")
    botocore_data.write(BOTOCORE_DATA, target)
    return target


def _session(data: Path | None) -> botocore.session.Session:
    session = botocore.session.Session()
    if data is not None:
        session.register_component(
            "data_loader", botocore.loaders.Loader(extra_search_paths=[str(data)], include_default_search_paths=False)
        )
    return session


def _client(session: botocore.session.Session, service: str, region: str) -> Any:
    return session.create_client(service, region_name=region, aws_access_key_id="k", aws_secret_access_key="s")


@pytest.mark.parametrize("service", botocore_data.SERVICES)
def test_clients_from_the_cut_data_call_and_sign_exactly_as_from_botocores_own(cut: Path, service: str) -> None:
    # GIVEN a session reading only the cut data and one reading botocore's own
    cut_session, own_session = _session(cut), _session(None)
    for region in REGIONS:
        # WHEN each builds a client of the service in the region
        ours, theirs = _client(cut_session, service, region), _client(own_session, service, region)
        # THEN the same endpoint, signing region and name, and the same operations
        assert ours.meta.endpoint_url == theirs.meta.endpoint_url, region
        assert ours._request_signer.region_name == theirs._request_signer.region_name, region
        assert ours._request_signer.signing_name == theirs._request_signer.signing_name, region
        assert ours.meta.service_model.operation_names == theirs.meta.service_model.operation_names


@pytest.mark.parametrize("service", botocore_data.SERVICES)
def test_the_cut_models_lose_their_documentation_and_nothing_else(cut: Path, service: str) -> None:
    # GIVEN the service's model as botocore ships it and as cut
    (version,) = [p.name for p in (cut / service).iterdir()]
    shipped = json.loads(gzip.decompress((BOTOCORE_DATA / service / version / "service-2.json.gz").read_bytes()))
    written = json.loads((cut / service / version / "service-2.json").read_text())
    # THEN every operation and shape is there, equal once documentation is taken off the shipped one
    assert written == botocore_data._without_documentation(shipped)
    assert set(written["operations"]) == set(shipped["operations"])
    assert set(written["shapes"]) == set(shipped["shapes"])
    assert "documentation" not in json.dumps(written["operations"]) + json.dumps(written["shapes"])


def test_endpoints_keep_every_partition_and_region_but_only_our_services(cut: Path) -> None:
    shipped = json.loads((BOTOCORE_DATA / "endpoints.json").read_text())
    written = json.loads((cut / "endpoints.json").read_text())
    assert [p["partition"] for p in written["partitions"]] == [p["partition"] for p in shipped["partitions"]]
    for ours, theirs in zip(written["partitions"], shipped["partitions"], strict=True):
        assert ours["regions"] == theirs["regions"]
        assert ours["services"] == {k: v for k, v in theirs["services"].items() if k in botocore_data.SERVICES}
    # a tenth of the size or less: what the cut is for
    assert (cut / "endpoints.json").stat().st_size * 10 < (BOTOCORE_DATA / "endpoints.json").stat().st_size


def test_a_folder_without_its_endpoints_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a folder for this botocore whose writing stopped before its last file
    monkeypatch.setattr(botocore_data, "DATA_ROOT", tmp_path)
    botocore_data.write(BOTOCORE_DATA, tmp_path / botocore.__version__)
    (tmp_path / botocore.__version__ / "endpoints.json").unlink()
    # THEN it is not used; the complete one is
    assert botocore_data.data_path(botocore.__version__) is None
    botocore_data.write(BOTOCORE_DATA, tmp_path / botocore.__version__)
    assert botocore_data.data_path(botocore.__version__) == str(tmp_path / botocore.__version__)
    assert botocore_data.data_path("0.0.1") is None  # another botocore's version: its own data


SETTINGS = Settings(
    integrations_table="IntegrationsTable",
    tracker_table="TrackerTable",
    tokens_key_id="alias/tokens",
    app_base_url=AnyHttpUrl("https://app.tracker.example"),
    api_base_url=AnyHttpUrl("https://integrations.tracker.example"),
)


def _root_loader_paths() -> list[str]:
    session = wiring.Root(SETTINGS)._botocore_session
    paths: list[str] = session.get_component("data_loader").search_paths  # type: ignore[attr-defined]
    return paths


def test_the_root_reads_only_the_data_written_for_its_botocore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN data written for the botocore this process runs with
    monkeypatch.setattr(botocore_data, "DATA_ROOT", tmp_path)
    botocore_data.write(BOTOCORE_DATA, tmp_path / botocore.__version__)
    # THEN the root's clients read it and nothing else
    assert _root_loader_paths() == [str(tmp_path / botocore.__version__)]
    # GIVEN none for it (a botocore bumped without a rebuild) THEN botocore's own data, as shipped
    monkeypatch.setattr(botocore_data, "DATA_ROOT", tmp_path / "elsewhere")
    assert str(BOTOCORE_DATA) in _root_loader_paths()


def test_the_root_refuses_a_client_whose_service_the_cut_data_lacks() -> None:
    root = wiring.Root(SETTINGS)
    with pytest.raises(ValueError, match=r"botocore_data\.SERVICES"):
        root._client("s3")
