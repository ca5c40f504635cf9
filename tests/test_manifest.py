"""The data manifest: the repository's file loads with its facts; malformed ones are refused."""

from __future__ import annotations

import copy

import pytest
import yaml
from fetch_server import REPO, STIMULUS, STIMULUS_SHA256, manifest_entry

from cerebrepro.data.manifest import load_manifest
from cerebrepro.errors import FetchError, ManifestError

SCAFFOLD = "scaffold_full_dcn_400.0x400.0_v3.hdf5"


def test_repository_manifest_is_the_default(monkeypatch):
    monkeypatch.delenv("CEREBREPRO_MANIFEST", raising=False)

    manifest = load_manifest()

    assert manifest.path == REPO / "cerebrepro" / "data" / "manifest.yaml"
    assert manifest.names == (SCAFFOLD, STIMULUS)
    stimulus = manifest.get(STIMULUS)
    assert stimulus.kind == "stimulus" and stimulus.published
    assert stimulus.sha256 == STIMULUS_SHA256 and stimulus.size == 875_538
    assert stimulus.urls[0].startswith("https://raw.githubusercontent.com/SpiNNakerManchester/")
    scaffold = manifest.get(SCAFFOLD)
    assert scaffold.kind == "scaffold" and not scaffold.published
    assert scaffold.sha256 is None and scaffold.size is None
    assert isinstance(scaffold.urls, tuple) and len(scaffold.urls) == 1


def test_environment_variable_selects_the_manifest(tmp_path, monkeypatch):
    path = tmp_path / "other.yaml"
    entry = manifest_entry("x.npz", ["https://example.org/x.npz"], STIMULUS_SHA256)
    path.write_text(yaml.safe_dump({"version": 1, "files": [entry]}))
    monkeypatch.setenv("CEREBREPRO_MANIFEST", str(path))

    assert load_manifest().names == ("x.npz",)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(FetchError) as error:
        load_manifest(REPO / "cerebrepro" / "data" / "manifest.yaml").get("nope")
    assert (
        "'nope'" in str(error.value)
        and SCAFFOLD in str(error.value)
        and STIMULUS in str(error.value)
    )


def valid_document() -> dict:
    return {
        "version": 1,
        "files": [
            manifest_entry("a.npz", ["https://example.org/a.npz"], STIMULUS_SHA256),
            manifest_entry(
                "b.hdf5", ["https://example.org/b.hdf5"], "unpublished", kind="scaffold"
            ),
        ],
    }


def mutated(change) -> dict:
    document = copy.deepcopy(valid_document())
    change(document)
    return document


def set_field(field, value):
    return lambda document: document["files"][0].__setitem__(field, value)


def drop_field(field):
    return lambda document: document["files"][0].pop(field)


MALFORMED = {
    "missing field": (drop_field("licence"), "lacks the field(s) licence"),
    "unknown field": (set_field("sha265", "x"), "unknown field(s) sha265"),
    "short sha256": (set_field("sha256", STIMULUS_SHA256[:-1]), "64 lowercase hex"),
    "uppercase sha256": (set_field("sha256", STIMULUS_SHA256.upper()), "64 lowercase hex"),
    "empty urls": (set_field("urls", []), "urls must be a non-empty list"),
    "non-http url": (set_field("urls", ["ftp://example.org/a"]), "not an http(s) URL"),
    "name with a folder": (set_field("name", "../a.npz"), "plain file name"),
    "empty description": (set_field("description", " "), "description must be a non-empty"),
    "negative size": (set_field("size", -1), "non-negative integer"),
    "duplicate names": (set_field("name", "b.hdf5"), "'b.hdf5' appears more than once"),
    "wrong version": (lambda document: document.__setitem__("version", 2), "'version' must be 1"),
    "no files": (lambda document: document.__setitem__("files", []), "non-empty list"),
    "entry not a mapping": (
        lambda document: document["files"].__setitem__(0, "a.npz"),
        "files[0] must be a mapping",
    ),
}


def test_valid_document_loads(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(valid_document()))
    assert load_manifest(path).names == ("a.npz", "b.hdf5")


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_manifest_names_file_and_problem(tmp_path, case):
    change, problem = MALFORMED[case]
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(mutated(change)))

    with pytest.raises(ManifestError) as error:
        load_manifest(path)

    assert str(path) in str(error.value)
    assert problem in str(error.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("files: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "top level must be a mapping"),
    ],
)
def test_unparsable_manifest_is_refused(tmp_path, text, problem):
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    with pytest.raises(ManifestError, match=problem):
        load_manifest(path)


def test_missing_manifest_is_refused(tmp_path):
    with pytest.raises(ManifestError, match="cannot read"):
        load_manifest(tmp_path / "absent.yaml")
