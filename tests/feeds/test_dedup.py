"""Canonical URLs, content hashes, SimHash fingerprints and the story index."""

from __future__ import annotations

import pytest

from kabar.feeds.dedup import NEAR, StoryIndex, canonical_url, content_hash, hamming, simhash

STORY = (
    "Komisi Pemilihan Umum Kabupaten Jeneponto menetapkan jadwal rapat pleno rekapitulasi "
    "hasil penghitungan suara pemilihan bupati dan wakil bupati pada Kamis pekan depan. "
    "Ketua KPU mengatakan seluruh kotak suara dari sebelas kecamatan telah tiba di gudang "
    "logistik dan dijaga aparat kepolisian selama dua puluh empat jam. Saksi dari tiap "
    "pasangan calon diundang untuk menyaksikan proses rekapitulasi secara terbuka, dan "
    "masyarakat dapat mengikuti siaran langsung melalui kanal resmi KPU daerah. "
    "Menurut dia, tingkat partisipasi pemilih tahun ini mencapai tujuh puluh delapan persen, "
    "naik dibanding pemilihan sebelumnya, meski hujan deras sempat mengguyur sejumlah desa "
    "di wilayah pegunungan pada pagi hari pemungutan suara. Badan Pengawas Pemilu setempat "
    "mencatat beberapa laporan dugaan pelanggaran administratif, antara lain keterlambatan "
    "pembukaan tempat pemungutan suara dan kekurangan surat suara di dua desa, yang sudah "
    "ditindaklanjuti dengan pemungutan suara susulan. Kapolres Jeneponto memastikan situasi "
    "keamanan tetap kondusif dan meminta pendukung semua pasangan calon menahan diri serta "
    "menunggu hasil resmi, tidak terpancing kabar bohong yang beredar di media sosial. "
    "Pemerintah daerah juga menyiapkan posko pengaduan bagi warga yang menemukan kejanggalan "
    "selama proses rekapitulasi berlangsung di tingkat kecamatan maupun kabupaten."
)
OTHER = (
    "Harga cabai rawit di sejumlah pasar tradisional Kota Makassar melonjak tajam dalam "
    "sepekan terakhir karena pasokan dari daerah sentra produksi berkurang akibat hujan "
    "deras. Pedagang mengaku hanya mendapat separuh kiriman biasa, sementara dinas "
    "perdagangan berencana menggelar operasi pasar murah untuk menekan harga menjelang "
    "akhir tahun dan memastikan ketersediaan bahan pokok tetap aman bagi warga."
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "https://www.Example.com/berita/1?utm_source=rss&utm_medium=feed",
            "http://example.com/berita/1/",
        ),
        ("https://example.com/a?b=2&a=1&fbclid=XYZ", "https://example.com/a?a=1&b=2"),
        ("https://example.com:443/a#komentar", "https://example.com/a"),
        ("https://example.com/a?gclid=1&mc_cid=2&_hsenc=3", "https://example.com/a"),
        ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_canonical_urls_agree(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


def test_canonical_urls_keep_what_identifies_the_article() -> None:
    assert canonical_url("https://example.com/read?id=1") != canonical_url(
        "https://example.com/read?id=2"
    )
    assert canonical_url("https://example.com:8080/a") == "https://example.com:8080/a"
    assert canonical_url("ftp://example.com/a") is None
    assert canonical_url(None) is None
    assert canonical_url("http://[::1") is None


def test_content_hash_ignores_case_punctuation_and_spacing() -> None:
    a = content_hash("Judul", STORY)
    assert a == content_hash("JUDUL!", "  " + STORY.replace(". ", ".\n\n"))
    assert a != content_hash("Judul", OTHER)
    assert content_hash("Judul", "pendek") is None


def test_simhash_is_stable_and_separates_stories() -> None:
    a = simhash(STORY)
    assert a is not None and a == simhash(STORY)
    assert -(2**63) <= a < 2**63  # fits a signed BIGINT
    edited = STORY.replace("Kamis pekan depan", "Jumat pekan depan").replace(
        "secara terbuka", "secara terbuka dan transparan"
    )
    near = simhash("Rekapitulasi suara\n" + edited)
    far = simhash(OTHER)
    assert near is not None and far is not None
    assert hamming(a, near) <= NEAR
    assert hamming(a, far) > 2 * NEAR
    assert simhash("terlalu pendek untuk sidik jari") is None


def test_story_index_finds_near_duplicates_only() -> None:
    index = StoryIndex()
    a = simhash(STORY)
    b = simhash(OTHER)
    assert a is not None and b is not None
    index.add(10, a, 10)
    index.add(11, b, 11)
    assert index.find(a ^ 0b101) == 10  # two bits away
    assert index.find(a ^ (1 << 63)) == 10  # the sign bit counts as one bit
    spread = sum(1 << (6 * i + 1) for i in range(NEAR))
    assert index.find(a ^ spread) == 10
    assert index.find(a ^ spread ^ (1 << 62)) is None  # one bit more: a different story
    assert index.find(b) == 11
    index.add(12, a ^ 1, 10)
    assert index.find(a ^ 1) == 10
    assert index.last_id == 12 and index.size == 3
    for n in range(2000):  # grows past its first allocation
        index.add(100 + n, n, 100 + n)
    assert index.find(a) == 10 and index.size == 2003
