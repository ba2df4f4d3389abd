"""IATI codelists: the bundled tables, 1.0x text lookups, and the refresher from an IATI checkout."""
from __future__ import annotations

import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import codelists
from kg.codelists import SCHEMES, Code, load, update
from kg.errors import InputError, UsageError

SHARED_CODELISTS = Path(__file__).resolve().parents[1].parent / "shared" / "iati" / "codelists"
needs_checkout = pytest.mark.skipif(not SHARED_CODELISTS.is_dir(), reason="no IATI codelist checkout in ../shared")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _fake_checkout(folder: Path) -> Path:
    """A minimal valid checkout: one code per scheme, so error tests need no ../shared."""
    folder.mkdir(parents=True, exist_ok=True)
    for s in SCHEMES.values():
        (folder / f"{s.file}.xml").write_text(
            f'<codelist name="{s.file}" xml:lang="en" embedded="0">\n'
            "  <codelist-items>\n"
            "    <codelist-item>\n      <code>1</code>\n"
            "      <name><narrative>One</narrative><narrative xml:lang=\"fr\">Un</narrative></name>\n"
            "    </codelist-item>\n"
            "  </codelist-items>\n</codelist>\n",
            encoding="utf-8",
        )
    return folder


# ---- the bundled tables ----------------------------------------------------------


@pytest.mark.parametrize("key", list(SCHEMES))
def test_every_bundled_scheme_loads(key: str) -> None:
    cl = load(key)
    assert cl.key == key and cl.label == SCHEMES[key].label
    assert cl.codes, f"{key} is empty"
    assert all(k == c.code and c.name for k, c in cl.codes.items())
    assert load(key) is cl  # cached: read once per folder


@pytest.mark.parametrize("key, code, name", [
    ("iati-result-type", "1", "Output"),
    ("iati-result-type", "2", "Outcome"),
    ("iati-result-type", "3", "Impact"),
    ("iati-result-type", "9", "Other"),
    ("iati-indicator-measure", "1", "Unit"),
    ("iati-indicator-measure", "2", "Percentage"),
    ("iati-indicator-measure", "3", "Nominal"),
    ("iati-indicator-measure", "4", "Ordinal"),
    ("iati-indicator-measure", "5", "Qualitative"),
    ("iati-organisation-role", "1", "Funding"),
    ("iati-organisation-role", "2", "Accountable"),
    ("iati-organisation-role", "3", "Extending"),
    ("iati-organisation-role", "4", "Implementing"),
    ("iati-activity-status", "2", "Implementation"),
    ("iati-organisation-type", "10", "Government"),
    ("iati-sector-category", "151", "Government & Civil Society-general"),
    ("iati-region", "289", "South of Sahara, regional"),
])
def test_known_codes(key: str, code: str, name: str) -> None:
    assert load(key).codes[code] == Code(code, name)


def test_withdrawn_codes_are_kept_and_marked() -> None:
    assert load("iati-region").codes["380"] == Code("380", "West Indies, regional", withdrawn=True)
    sectors = load("iati-sector")
    assert sectors.codes["15162"].withdrawn and not sectors.codes["15160"].withdrawn


def test_codes_keep_iati_order() -> None:
    assert list(load("iati-result-type").codes) == ["1", "2", "3", "9"]


# ---- lookup ---------------------------------------------------------------------


@pytest.mark.parametrize("key, text, code", [
    ("iati-result-type", "1", "1"),
    ("iati-result-type", " 2 ", "2"),
    ("iati-result-type", "Output", "1"),
    ("iati-result-type", "output", "1"),
    ("iati-result-type", "IMPACT", "3"),
    ("iati-organisation-role", "Funding", "1"),
    ("iati-organisation-role", "Accountable", "2"),
    ("iati-organisation-role", "Extending", "3"),
    ("iati-organisation-role", "Implementing", "4"),
    ("iati-organisation-role", "implementing", "4"),
    ("iati-organisation-type", "Government", "10"),
    ("iati-organisation-type", "international_ngo", "21"),
    ("iati-organisation-type", "Public-Private  Partnership", "30"),
    ("iati-indicator-measure", "Unit", "1"),
    ("iati-indicator-measure", "Percentage", "2"),
    ("iati-activity-status", "implementation", "2"),
    # a name shared by an active and a withdrawn code means the active one
    ("iati-sector", "Human rights", "15160"),
])
def test_lookup_by_code_or_10x_name(key: str, text: str, code: str) -> None:
    found = load(key).lookup(text)
    assert found is not None and found.code == code


@pytest.mark.parametrize("key, text", [
    ("iati-result-type", "Outputs"),
    ("iati-result-type", "4"),
    ("iati-result-type", ""),
    ("iati-organisation-role", "Fundings"),
    ("iati-indicator-measure", "Units"),
    # two active DAC sectors (43040, 43042) are both "Rural development": refuse to guess
    ("iati-sector", "Rural development"),
])
def test_lookup_unknown_is_none(key: str, text: str) -> None:
    assert load(key).lookup(text) is None


def test_unknown_scheme_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown IATI codelist 'iati-nope'"):
        load("iati-nope")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_lookup_any_text_gives_a_code_of_the_list_or_none(text: str) -> None:
    cl = load("iati-organisation-type")
    found = cl.lookup(text)
    assert found is None or cl.codes[found.code] is found


# ---- reading a table -------------------------------------------------------------


def _write_table(root: Path, key: str, text: str) -> Path:
    folder = codelists.codelists_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.tsv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("body, line, rule", [
    ("code\tname\tstatus\n1\tOutput\tactive\n2\tOutcome\n", 3, "3 tab-separated cells"),
    ("code\tname\tstatus\n1\tOutput\tretired\n", 2, "must be 'active' or 'withdrawn'"),
    ("code\tname\tstatus\n1\tOutput\tactive\n1\tAgain\tactive\n", 3, "duplicate code '1' (first on line 2)"),
    ("code\tname\tstatus\n\tOutput\tactive\n", 2, "non-empty and without spaces"),
    ("code\tname\tstatus\n1\t \tactive\n", 2, "empty name"),
    ("code\tlabel\tstatus\n1\tOutput\tactive\n", 1, "header"),
])
def test_malformed_table_names_file_and_line(tmp_path: Path, body: str, line: int, rule: str) -> None:
    path = _write_table(tmp_path, "iati-result-type", body)
    with pytest.raises(InputError, match=re.escape(rule)) as info:
        load("iati-result-type", tmp_path)
    assert info.value.source == str(path) and info.value.line == line


def test_missing_table_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read codelist table"):
        load("iati-region", tmp_path)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="0123456789ABZ \t-", max_size=6),
                          st.text(st.characters(blacklist_characters="\t\n\r", blacklist_categories=("Cs",)),
                                  max_size=12),
                          st.sampled_from(["active", "withdrawn", "gone", ""])), max_size=6))
def test_any_table_loads_or_fails_clearly(rows: list[tuple[str, str, str]]) -> None:
    body = "code\tname\tstatus\n" + "".join(f"{c}\t{n}\t{s}\n" for c, n, s in rows)
    with tempfile.TemporaryDirectory() as tmp:
        _write_table(Path(tmp), "iati-result-type", body)
        try:
            cl = load("iati-result-type", Path(tmp))
        except InputError as e:
            assert e.source and e.source.endswith("iati-result-type.tsv") and e.line is not None
        else:
            assert len(cl.codes) == len(rows)


# ---- update from an IATI checkout ------------------------------------------------


@needs_checkout
def test_update_reproduces_the_bundled_tables(tmp_path: Path) -> None:
    """Drift test: the shipped tables are exactly what ``update`` writes from the checkout."""
    out = tmp_path / "iati" / "codelists"
    counts = update(SHARED_CODELISTS, out)
    bundled = codelists.codelists_dir()
    assert list(counts) == list(SCHEMES)
    for key, n in counts.items():
        assert (out / f"{key}.tsv").read_bytes() == (bundled / f"{key}.tsv").read_bytes(), key
        assert len(load(key, tmp_path).codes) == n == len(load(key).codes)
    assert sorted(p.name for p in out.iterdir()) == sorted([*(f"{k}.tsv" for k in SCHEMES), "SOURCE.md"])


@needs_checkout
def test_source_md_records_origin_and_licence(tmp_path: Path) -> None:
    update(SHARED_CODELISTS, tmp_path)
    for text in ((tmp_path / "SOURCE.md").read_text(encoding="utf-8"),
                 (codelists.codelists_dir() / "SOURCE.md").read_text(encoding="utf-8")):
        assert "CC BY 4.0" in text and '"IATI Standard (http://iatistandard.org/)"' in text
        assert "IATI-Codelists-NonEmbedded" in text and "IATI-Codelists (" in text
        assert all(f"| {s.file} |" in text for s in SCHEMES.values())
        assert "iati-sector.tsv (Sector): OECD DAC" in text and "iati-region.tsv (Region): OECD DAC" in text


@needs_checkout
def test_scheme_labels_are_iatis_own(tmp_path: Path) -> None:
    for s in SCHEMES.values():
        root = ET.parse(SHARED_CODELISTS / f"{s.file}.xml").getroot()
        assert root.findtext("metadata/name/narrative") == s.label, s.key


@needs_checkout
def test_broken_file_leaves_previous_output_untouched(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    shutil.copytree(SHARED_CODELISTS, checkout)
    out = tmp_path / "out"
    update(checkout, out)
    before = _snapshot(out)
    broken = checkout / "Sector.xml"
    broken.write_bytes(broken.read_bytes()[: broken.stat().st_size // 2])
    with pytest.raises(InputError, match="not XML") as info:
        update(checkout, out)
    assert info.value.source == str(broken) and info.value.line
    assert str(info.value).startswith(f"{broken}:")
    assert _snapshot(out) == before  # no table replaced, no temporary left behind


def test_update_after_load_is_seen_by_load(tmp_path: Path) -> None:
    checkout = _fake_checkout(tmp_path / "checkout")
    out = codelists.codelists_dir(tmp_path / "data")
    update(checkout, out)
    assert load("iati-result-type", tmp_path / "data").lookup("one") == Code("1", "One")
    xml = checkout / "ResultType.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace(">One<", ">Uno<"), encoding="utf-8")
    update(checkout, out)
    assert load("iati-result-type", tmp_path / "data").codes["1"].name == "Uno"


def test_non_codelist_root_is_refused(tmp_path: Path) -> None:
    checkout = _fake_checkout(tmp_path / "checkout")
    (checkout / "ResultType.xml").write_text("<iati-activities/>", encoding="utf-8")
    with pytest.raises(InputError) as info:
        update(checkout, tmp_path / "out")
    assert info.value.message == "not an IATI codelist: the root element is <iati-activities>, expected <codelist>"
    assert info.value.source == str(checkout / "ResultType.xml")
    assert not (tmp_path / "out").exists()


def test_item_without_code_names_its_line(tmp_path: Path) -> None:
    checkout = _fake_checkout(tmp_path / "checkout")
    (checkout / "Region.xml").write_text(
        '<codelist name="Region">\n<codelist-items>\n'
        "<codelist-item><code>1</code><name><narrative>A</narrative></name></codelist-item>\n"
        "<codelist-item><name><narrative>B</narrative></name></codelist-item>\n"
        "</codelist-items>\n</codelist>\n", encoding="utf-8")
    with pytest.raises(InputError, match="without a <code>") as info:
        update(checkout, tmp_path / "out")
    assert info.value.source == str(checkout / "Region.xml") and info.value.line == 4


@pytest.mark.parametrize("xml, rule", [
    ('<codelist name="Sector"><codelist-items/></codelist>', "wrong codelist: <codelist> has name='Sector', expected name='Region'"),
    ("<codelist><codelist-items/></codelist>", "wrong codelist: <codelist> has no name attribute"),
    ('<codelist name="Region"><codelist-items/></codelist>', "empty codelist"),
    ('<codelist name="Region"><codelist-items><codelist-item><code>1</code>'
     '<name><narrative xml:lang="fr">Un</narrative></name></codelist-item></codelist-items></codelist>',
     "code '1' has no English"),
    ('<codelist name="Region"><codelist-items>'
     '<codelist-item><code>1</code><name><narrative>A</narrative></name></codelist-item>'
     '<codelist-item><code>1</code><name><narrative>B</narrative></name></codelist-item>'
     '</codelist-items></codelist>', "duplicate code '1'"),
    ("not xml at all", "not XML: syntax error"),
])
def test_bad_codelist_files_are_refused(tmp_path: Path, xml: str, rule: str) -> None:
    checkout = _fake_checkout(tmp_path / "checkout")
    (checkout / "Region.xml").write_text(xml, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(rule)):
        update(checkout, tmp_path / "out")


def test_missing_folder_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        update(tmp_path / "nowhere", tmp_path / "out")
    checkout = _fake_checkout(tmp_path / "checkout")
    (checkout / "Sector.xml").unlink()
    with pytest.raises(InputError, match="missing codelist file Sector.xml") as info:
        update(checkout, tmp_path / "out")
    assert info.value.source == str(checkout / "Sector.xml")


# ---- the command ------------------------------------------------------------------------------


@needs_checkout
def test_the_command_rewrites_the_tables_and_reports_counts(tmp_path):
    from helpers import run_kg as _kg

    target = tmp_path / "tables"
    r = _kg("codelists", "update", "--from", str(SHARED_CODELISTS), "--to", str(target))
    assert r.returncode == 0, r.stderr
    assert "iati-sector" in r.stdout and "325 codes" in r.stdout
    bundled = codelists.codelists_dir()
    for key in SCHEMES:
        assert (target / f"{key}.tsv").read_bytes() == (bundled / f"{key}.tsv").read_bytes()


def test_the_command_names_a_bad_folder_and_changes_nothing(tmp_path):
    from helpers import run_kg as _kg

    target = tmp_path / "tables"
    target.mkdir()
    (target / "iati-result-type.tsv").write_text("code\tname\tstatus\n1\tOutput\tactive\n")
    r = _kg("codelists", "update", "--from", str(tmp_path / "missing"), "--to", str(target))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "missing: not a folder" in r.stderr
    assert (target / "iati-result-type.tsv").read_text() == "code\tname\tstatus\n1\tOutput\tactive\n"
