"""The documentation holds together: every relative link resolves, the README stays a front door.

Checked files: README.md, docs/*.md, benchmarks/README.md. A relative link must name an existing
file (relative to the linking file), and an ``#anchor`` (alone, or after a Markdown file) must name
a heading of that file by GitHub's slug rules. External http(s) links are not fetched (no network),
only checked to be well-formed. Standard library and pytest only: no conftest, no project imports.
"""
from __future__ import annotations

import re
import unicodedata
import urllib.parse
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README_MAX_LINES = 250
DOC_FILES = sorted({REPO / "README.md", REPO / "benchmarks" / "README.md", *(REPO / "docs").glob("*.md")})

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# [text](target) and ![alt](target); the target may be <wrapped> and followed by a "title"
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")


def outside_fences(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line outside fenced code blocks."""
    out, fence = [], None
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
        else:
            out.append((n, line))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text, lowercased, spaces to '-', punctuation but '-' and '_' dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")  # inline HTML and code marks
    text = re.sub(r"(\*+|(?<!\w)_+|_+(?!\w))", "", text)  # emphasis marks (not underscores inside words)
    kept = []
    for ch in text.strip().lower():
        cat = unicodedata.category(ch)
        if ch in "-_" or ch == " " or cat[0] in "LNM":
            kept.append("-" if ch == " " else ch)
    return "".join(kept)


def anchors(path: Path) -> set[str]:
    """Every anchor a Markdown file offers; repeated headings get -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    out = set()
    for _, line in outside_fences(path.read_text(encoding="utf-8")):
        h = HEADING.match(line)
        if not h:
            continue
        s = slug(h.group(2))
        if s in seen:
            seen[s] += 1
            out.add(f"{s}-{seen[s]}")
        else:
            seen[s] = 0
            out.add(s)
    return out


def links(path: Path) -> list[tuple[int, str]]:
    """(line number, target) of every link in a Markdown file's prose."""
    found = []
    for n, line in outside_fences(path.read_text(encoding="utf-8")):
        line = INLINE_CODE.sub(lambda c: " " * len(c.group(0)), line)  # `[x](y)` in code is no link
        for m in (*INLINE_LINK.finditer(line), *REFERENCE_DEF.finditer(line)):
            target = m.group(1)
            if target.startswith("<") and target.endswith(">"):
                target = target[1:-1]
            found.append((n, target))
    return found


def broken(path: Path) -> list[str]:
    """Messages for every link of a file that does not resolve; empty when all do."""
    problems = []
    for n, target in links(path):
        where = f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}:{n}: ({target})"
        parts = urllib.parse.urlsplit(target)
        if parts.scheme in ("http", "https"):
            if not parts.hostname or re.search(r"\s", target):
                problems.append(f"{where} is not a well-formed URL")
            continue
        if parts.scheme == "mailto":
            if "@" not in parts.path:
                problems.append(f"{where} is not a well-formed mail address")
            continue
        if parts.scheme or parts.netloc:
            problems.append(f"{where} has a scheme this check does not know")
            continue
        file_part, _, fragment = target.partition("#")
        file_part = urllib.parse.unquote(file_part)
        dest = (path.parent / file_part) if file_part else path
        if file_part.startswith("/"):
            problems.append(f"{where} is absolute; links must be relative to the linking file")
            continue
        if not dest.exists():
            problems.append(f"{where} names a file that does not exist")
            continue
        if "#" in target:
            if dest.is_dir() or dest.suffix.lower() != ".md":
                problems.append(f"{where} has an anchor in a file that is not Markdown")
            elif urllib.parse.unquote(fragment) not in anchors(dest):
                problems.append(f"{where} names no heading of {dest.name}")
    return problems


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(path):
    assert path.exists(), path
    problems = broken(path)
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_readme_is_a_front_door():
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; at most {README_MAX_LINES}"


def test_docs_hold_at_least_three_pages():
    pages = sorted((REPO / "docs").glob("*.md"))
    assert len(pages) >= 3, pages


def test_the_checker_catches_broken_links(tmp_path):
    """The check itself: a broken file link, a wrong anchor and a malformed URL are all caught."""
    (tmp_path / "other.md").write_text("# Other page\n\n## `kg push`, and more!\n", encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text("# Top\n\n## Top\n\n[a](other.md) [b](other.md#kg-push-and-more) [c](#top) [d](#top-1)\n"
                    "[e](https://example.org/x) `[not a link](nowhere.md)`\n\n```\n[code](nowhere.md)\n```\n",
                    encoding="utf-8")
    assert broken(good) == []
    bad = tmp_path / "bad.md"
    bad.write_text("# Bad\n\n[a](missing.md) [b](other.md#no-such-heading) [c](#nope) [d](https://)\n",
                   encoding="utf-8")
    assert len(broken(bad)) == 4


@pytest.mark.parametrize("heading, expected", [
    ("Quick start", "quick-start"),
    ("Remote stores: `kg push`, `--endpoint`", "remote-stores-kg-push---endpoint"),
    ("What `kg build` does", "what-kg-build-does"),
    ("IATI activity files", "iati-activity-files"),
    ("Dependencies, and why", "dependencies-and-why"),
    ("snake_case stays", "snake_case-stays"),
    ("Ségou (ML-4)", "ségou-ml-4"),
])
def test_slugs_follow_github(heading, expected):
    assert slug(heading) == expected
