"""Abbreviations per language that a full stop after them does not end a sentence."""

from __future__ import annotations

from functools import cache

# Two kinds: a "title" (Dr., Jl., PT.) stands before a name or number, so a stop after it never
# ends a sentence; an "ambiguous" one (dll., S.H., Inc.) often ends one, so it does when the next
# word starts a sentence (capital letter, digit or an opening quote).

_ID_TITLES = """
a.n abd ach ad adm ags agt agu akbp akp apr ar aiptu bd bp bpk brigjen brigpol bripda bripka briptu
d.a ds dg dgn dik dr dra drg drh drs des feb gg h hj hlm hal ipda iptu ir irjen jl jln jend jan
jul jun k.h kab kapt kec kel kh kol kombes kompol komjen kpt lett letda letjen letkol lettu
mar marsda marsdya marsma mayjen mayor mei mhd moch moh mohd muh muhd nn no nov ny okt pdt pol prof
pt rp ra rt rw mr mrs s.d sdr sdri sdra sept sep st tn tgl ttg telp tlp u.p ust yth vol vs
"""

_ID_AMBIGUOUS = """
dkk dll dsb dst tbk cs sby etc
"""

_EN_TITLES = """
mr mrs ms messrs mme dr prof sr jr st mt ft gen gov sen rep rev hon lt col capt cmdr sgt maj
adm pres supt det insp jan feb mar apr jun jul aug sep sept oct nov dec no nos vol fig figs
vs v approx dept est e.g i.e cf al
"""

_EN_AMBIGUOUS = """
inc ltd co corp plc llc bros etc a.m p.m u.s u.k u.n e.u
"""

# Other languages get the titles they most often print before names and numbers.
_OTHER_TITLES = {
    "de": "dr prof nr str bzw z.b u.a usw vgl ca s hr fr st",
    "fr": "m mm mme mlle dr pr st ste n no av bd cf",
    "es": "sr sra srta dr dra prof ud uds av no núm pág",
    "pt": "sr sra dr dra prof av nº no pág",
    "it": "sig sigg dott prof ing avv on n pag",
    "nl": "dhr mevr mw dr prof ir ing nr blz bijv",
    "ms": "dr prof hj tn pn en jln no",
}


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


@cache
def titles(language: str | None) -> frozenset[str]:
    """Lower-case abbreviations (without the final stop) that never end a sentence."""
    code = (language or "").lower()
    if code in ("id", "ms"):
        return _words(_ID_TITLES) | _words(_OTHER_TITLES["ms"])
    if code == "en":
        return _words(_EN_TITLES)
    return _words(_OTHER_TITLES.get(code, "")) | _words("dr prof no")


@cache
def ambiguous(language: str | None) -> frozenset[str]:
    """Lower-case abbreviations that end a sentence only when a sentence plainly starts next."""
    code = (language or "").lower()
    if code in ("id", "ms"):
        return _words(_ID_AMBIGUOUS)
    if code == "en":
        return _words(_EN_AMBIGUOUS)
    return _words("etc")
