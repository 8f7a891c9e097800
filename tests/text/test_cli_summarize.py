"""`kabar summarize` on files, HTML pages, stdin, URLs and JSON lines."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from aiohttp import web
from click.testing import CliRunner

from kabar.cli import main

ARTICLE = (
    "MAKASSAR - Pemerintah Kota Makassar menaikkan anggaran perbaikan jalan tahun depan. "
    "Wali kota mengatakan jalan rusak menjadi keluhan utama warga.\n\n"
    "Perbaikan dimulai di Jl. Sudirman pada Januari. Warga menyambut baik rencana itu."
)


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["summarize", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code, out, _ = run(str(path), "--sentences", "2")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Pemerintah Kota Makassar")


def test_stdin_and_language(tmp_path: Path) -> None:
    code, out, _ = run("-", "--language", "id", "--sentences", "1", stdin=ARTICLE)
    assert code == 0
    assert len(out.splitlines()) == 1


def test_html_page_uses_its_main_text_and_title(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n"))
    page = (
        "<html><head><title>Makassar Perbaiki Jalan</title></head><body>"
        "<nav>Beranda | Nasional | Olahraga</nav><article><h1>Makassar Perbaiki Jalan</h1>"
        f"{paragraphs}<p>Baca juga: Harga Cabai Naik</p></article>"
        "<footer>Hak cipta 2024</footer></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    code, out, _ = run(str(path))
    assert code == 0
    assert "Beranda" not in out
    assert "Baca juga" not in out
    assert "Makassar Perbaiki Jalan" not in out
    assert out.splitlines()[0].startswith("Pemerintah Kota Makassar")


def _page() -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n"))
    return (
        "<html><head><title>Makassar Perbaiki Jalan</title></head><body>"
        f"<article><h1>Makassar Perbaiki Jalan</h1>{paragraphs}</article></body></html>"
    )


async def test_url_is_fetched_with_the_safe_fetcher(monkeypatch: pytest.MonkeyPatch) -> None:
    async def page(_: web.Request) -> web.Response:
        return web.Response(text=_page(), content_type="text/html")

    app = web.Application()
    app.router.add_get("/berita", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/berita"
    try:
        # Loopback is the private network here: refused unless the operator allows it.
        monkeypatch.delenv("KABAR_ALLOW_PRIVATE_NETWORKS", raising=False)
        code, _, err = await asyncio.to_thread(run, url)
        assert code == 1
        assert err.startswith(f"Error: cannot fetch {url}: ")
        assert len(err.strip().splitlines()) == 1

        monkeypatch.setenv("KABAR_ALLOW_PRIVATE_NETWORKS", "true")
        code, out, err = await asyncio.to_thread(run, url, "--sentences", "1")
        assert code == 0, err
        assert out.startswith("Pemerintah Kota Makassar")
    finally:
        await runner.cleanup()


def test_missing_file_is_one_line() -> None:
    code, _, err = run("/nonexistent/article.txt")
    assert code == 1
    assert len(err.strip().splitlines()) == 1


def test_jsonl_batch() -> None:
    lines = "\n".join(
        [
            json.dumps({"id": 1, "text": ARTICLE}),
            "{not json",
            json.dumps(
                {
                    "id": "b",
                    "text": "The cabinet met on Monday. It agreed a budget.",
                    "language": "en",
                }
            ),
            json.dumps({"id": 3}),
            json.dumps({"id": 4, "text": ""}),
        ]
    )
    code, out, err = run("--jsonl", "--sentences", "2", stdin=lines)
    assert code == 1
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == [1, "b", 4]
    assert results[0]["language"] == "id"
    assert len(results[0]["summary"]) == 2
    assert results[1] == {
        "id": "b",
        "language": "en",
        "summary": ["The cabinet met on Monday.", "It agreed a budget."],
    }
    assert results[2]["summary"] == []
    assert "line 2: not JSON" in err
    assert 'line 4: expected an object with a "text" string' in err
    assert "2 input line(s) could not be summarized" in err


def test_jsonl_refuses_a_file() -> None:
    code, _, err = run("--jsonl", "article.txt")
    assert code == 2
    assert "--jsonl reads stdin" in err
