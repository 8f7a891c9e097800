"""`kabar feeds`: import an OPML, list it as JSON, export it, and refuse a broken file whole."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Kabar

GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Sumber</title></head><body>
  <outline text="Nasional">
    <outline type="rss" text="Antara" xmlUrl="https://www.antaranews.com/rss/terkini.xml" language="id"/>
    <outline type="rss" text="Tempo" xmlUrl="https://rss.tempo.co/nasional"/>
  </outline>
  <outline text="World">
    <outline type="rss" text="BBC" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml" language="en"/>
  </outline>
</body></opml>"""

BROKEN = GOOD.replace("</body></opml>", "<outline text='x' xmlUrl='https://ok.example/rss'/>")


def test_import_then_list_json(kabar: Kabar, tmp_path: Path) -> None:
    (tmp_path / "feeds.opml").write_text(GOOD)
    result = kabar("feeds", "import", "feeds.opml")
    assert result.returncode == 0, result.stderr
    assert "imported 3 feeds (0 already present)" in result.stdout

    listed = kabar("feeds", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    feeds = json.loads(listed.stdout)
    assert {f["url"] for f in feeds} == {
        "https://www.antaranews.com/rss/terkini.xml",
        "https://rss.tempo.co/nasional",
        "https://feeds.bbci.co.uk/news/world/rss.xml",
    }
    antara = next(f for f in feeds if "antaranews" in f["url"])
    assert (antara["name"], antara["topic"], antara["language"]) == ("Antara", "Nasional", "id")
    assert {"error_count", "last_error", "last_success_at", "next_check_at"} <= set(antara)

    again = kabar("feeds", "import", "feeds.opml")
    assert "imported 0 feeds (3 already present)" in again.stdout


def test_broken_opml_changes_nothing(kabar: Kabar, tmp_path: Path) -> None:
    (tmp_path / "good.opml").write_text(GOOD)
    (tmp_path / "broken.opml").write_text(BROKEN)
    assert kabar("feeds", "import", "good.opml").returncode == 0
    before = json.loads(kabar("feeds", "list", "--json").stdout)

    result = kabar("feeds", "import", "broken.opml")
    assert result.returncode != 0
    assert result.stderr.strip().startswith("Error: not valid XML")
    assert len(result.stderr.strip().splitlines()) == 1
    after = json.loads(kabar("feeds", "list", "--json").stdout)
    assert after == before


def test_export_round_trips(kabar: Kabar, tmp_path: Path) -> None:
    (tmp_path / "feeds.opml").write_text(GOOD)
    kabar("feeds", "import", "feeds.opml")
    exported = kabar("feeds", "export")
    assert exported.returncode == 0
    (tmp_path / "out.opml").write_text(exported.stdout)
    fresh = tmp_path / "second.db"
    result = kabar("feeds", "import", "out.opml", DATABASE_URL=f"sqlite+aiosqlite:///{fresh}")
    assert "imported 3 feeds" in result.stdout


def test_add_list_remove(kabar: Kabar) -> None:
    # --no-discover: without it `feeds add` fetches the URL, and tests never leave loopback.
    added = kabar(
        "feeds",
        "add",
        "https://example.com/rss.xml",
        "--topic",
        "tekno",
        "--name",
        "Ex",
        "--no-discover",
    )
    assert added.returncode == 0, added.stderr
    assert "added feed 1" in added.stdout
    dup = kabar("feeds", "add", "https://example.com/rss.xml", "--no-discover")
    assert dup.returncode != 0
    assert "already exists with id 1" in dup.stderr
    listed = kabar("feeds", "list")
    assert "Ex" in listed.stdout
    assert "tekno" in listed.stdout
    assert kabar("feeds", "remove", "1").returncode == 0
    missing = kabar("feeds", "remove", "1")
    assert missing.returncode != 0
    assert "no feed with id 1" in missing.stderr


def test_bad_url_and_missing_file_are_one_line_errors(kabar: Kabar) -> None:
    bad = kabar("feeds", "add", "ftp://example.com/x")
    assert bad.returncode != 0
    assert "not an http(s) URL" in bad.stderr
    missing = kabar("feeds", "import", "nope.opml")
    assert missing.returncode != 0
    assert "cannot read nope.opml" in missing.stderr
