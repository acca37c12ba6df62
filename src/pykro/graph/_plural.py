"""English pluralisation of kind names the way kro names CRDs (it lowercases the kind and applies gobuffalo/flect's
Pluralize): irregular words first, then suffix rules in priority order, then "+s"."""

from __future__ import annotations

__all__ = ["pluralize"]

# Words whose plural is irregular or identical (a subset of flect's dictionary that kind names plausibly end with).
_IRREGULAR = {
    "aircraft": "aircraft", "bison": "bison", "chassis": "chassis", "deer": "deer", "fish": "fish",
    "moose": "moose", "police": "police", "salmon": "salmon", "series": "series", "sheep": "sheep",
    "shrimp": "shrimp", "species": "species", "swine": "swine", "trout": "trout", "tuna": "tuna",
    "child": "children", "ox": "oxen", "foot": "feet", "goose": "geese", "man": "men", "human": "humans",
    "louse": "lice", "mouse": "mice", "tooth": "teeth", "woman": "women", "die": "dice", "person": "people",
    "datum": "data", "index": "indices", "matrix": "matrices", "vertex": "vertices", "quiz": "quizzes",
    "bus": "buses", "alias": "aliases", "status": "statuses", "axis": "axes", "crisis": "crises",
    "analysis": "analyses", "basis": "bases", "thesis": "theses", "shoe": "shoes", "toe": "toes",
    "photo": "photos", "piano": "pianos", "halo": "halos", "news": "news", "information": "information",
    "equipment": "equipment", "money": "money", "rice": "rice", "use": "uses", "house": "houses",
}  # fmt: skip
_PLURALS = frozenset(_IRREGULAR.values())

# (singular suffix, plural suffix) in priority order: the first matching suffix wins.
_SUFFIX_RULES: tuple[tuple[str, str], ...] = (
    ("tive", "tives"), ("eaf", "eaves"), ("oaf", "oaves"), ("afe", "aves"), ("arf", "arves"), ("rfe", "rves"),
    ("rf", "rves"), ("lf", "lves"), ("fe", "ves"),
    ("ay", "ays"), ("ey", "eys"), ("oy", "oys"), ("quy", "quies"), ("uy", "uys"), ("y", "ies"),
    ("eau", "eaux"), ("hedron", "hedra"), ("ium", "ia"), ("seum", "seums"), ("eum", "ea"), ("dum", "da"),
    ("imum", "ima"), ("trum", "tra"), ("atum", "ata"), ("ovum", "ova"), ("trix", "trices"),
    ("ysis", "yses"), ("opsis", "opses"), ("gnosis", "gnoses"),
    ("ouse", "ouses"), ("lause", "lauses"), ("us", "uses"),
    ("ch", "ches"), ("io", "ios"), ("sh", "shes"), ("ss", "sses"), ("ez", "ezzes"), ("iz", "izzes"),
    ("tz", "tzes"), ("zz", "zzes"), ("ano", "anos"), ("lo", "los"), ("to", "tos"), ("oo", "oos"), ("o", "oes"),
    ("x", "xes"),
)  # fmt: skip
# Words flect only matches exactly (never as the end of a compound word).
_EXACT_ONLY = frozenset({"ox", "die", "louse", "toe"})
_COMPOUND_ORDER = sorted((w for w in _IRREGULAR if w not in _EXACT_ONLY), key=len, reverse=True)


def pluralize(word: str) -> str:
    """The plural of a lower-case word: ``webapp`` -> ``webapps``, ``policy`` -> ``policies``."""
    if not word:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _PLURALS:
        return word
    # Compound words ending in a dictionary word ("webhuman", "datamouse") take precedence over suffix rules.
    for irregular in _COMPOUND_ORDER:
        plural = _IRREGULAR[irregular]
        if word.endswith(plural):
            return word
        if word.endswith(irregular):
            return word[: len(word) - len(irregular)] + plural
    for singular, plural in _SUFFIX_RULES:
        # flect registers every rule twice: singular -> plural, and plural -> itself (already plural).
        if word.endswith(plural):
            return word
        if word.endswith(singular):
            return word[: len(word) - len(singular)] + plural
    return word if word.endswith("s") else word + "s"
