"""Consistency checks between figures: parts against totals, shares against parts.

Defects of the source become findings, never silent fixes: a reader of the graph
sees both the numbers as written and what does not add up.
"""
from __future__ import annotations

from decimal import Decimal

from kg.extract.figures import RawFigure

_SEX_WORD = {"F": "women", "M": "men"}


def _fmt(d: Decimal) -> str:
    return f"{d:,}" if d == d.to_integral_value() else str(d)


def _label(f: RawFigure) -> str:
    return f"{f.raw} {f.counts}".strip()


def check(figs: list[RawFigure], text: str) -> list[tuple[str, str, int]]:
    """Return (finding type, message, figure index) for every inconsistency found."""
    out: list[tuple[str, str, int]] = []
    parts: dict[int, list[RawFigure]] = {}
    for f in figs:
        if f.part_of is not None:
            parts.setdefault(f.part_of, []).append(f)
    for t_index, ps in parts.items():
        t = figs[t_index]
        if t.value is None:
            continue
        direct = [p for p in ps if p.part_kind in ("sex", "category", "subset")]
        by_place = [p for p in ps if p.part_kind == "place"]
        sexes = [p for p in direct if p.part_kind == "sex" and p.sex]
        known = [p for p in direct if p.value is not None]
        if sexes and len(sexes) == len(direct) and {p.sex for p in sexes} == {"F", "M"}:
            if any(p.value is None for p in sexes):
                continue  # a malformed part: already a finding of its own, nothing to add up
            total = sum((p.value for p in sexes), Decimal(0))
            if total != t.value:
                terms = " + ".join(_label(p) for p in sexes)
                out.append(("parts-do-not-add-up",
                            f"{terms} = {_fmt(total)}, but the total is {_label(t)}", t.index))
        else:
            cats = [p for p in known if p.part_kind in ("category", "sex", "subset")]
            exhaustive = "and others" in text[t.start : max((p.phrase_end for p in cats), default=t.start) + 12]
            if cats:
                total = sum((p.value for p in cats), Decimal(0))
                if total > t.value or (exhaustive and total != t.value and len(cats) == len(direct)):
                    terms = " + ".join(_fmt(p.value) for p in cats)
                    out.append(("parts-do-not-add-up",
                                f"the parts listed ({terms}) sum to {_fmt(total)}, more than the total {_label(t)}"
                                if total > t.value else
                                f"the parts listed ({terms}) sum to {_fmt(total)}, not the total {_label(t)}",
                                t.index))
        if by_place:
            _check_places(t, by_place, parts, sexes, out)
    for f in figs:
        if f.share_of is None or f.value is None:
            continue
        part = figs[f.share_of]
        if part.part_of is None or part.value is None:
            continue
        total = figs[part.part_of]
        if not total.value:
            continue
        expected = part.value / total.value * 100
        decimals = -f.value.as_tuple().exponent if f.value.as_tuple().exponent < 0 else 0
        tolerance = Decimal(5) / (Decimal(10) ** (decimals + 1)) + Decimal("0.01")
        if abs(expected - f.value) > tolerance:
            out.append(("share-mismatch",
                        f"{f.raw}% stated for {_label(part)}, but {_fmt(part.value)} of {_fmt(total.value)} "
                        f"is {expected:.2f}%", f.index))
    return out


def _check_places(t: RawFigure, by_place: list[RawFigure], parts: dict[int, list[RawFigure]],
                  sexes: list[RawFigure], out: list[tuple[str, str, int]]) -> None:
    """A total broken down by place: place totals must add up, and so must each sex across places."""
    places: dict[str, list[RawFigure]] = {}
    for p in by_place:
        places.setdefault(p.place_group or "", []).append(p)
    place_total: dict[str, Decimal] = {}
    place_sex: dict[str, dict[str, Decimal]] = {}
    for key, ps in places.items():
        explicit = [p for p in ps if not p.sex]
        sex_parts = [p for p in ps if p.sex]
        for p in explicit:
            sex_parts += [q for q in parts.get(p.index, []) if q.sex]
        if any(p.value is None for p in explicit + sex_parts):
            return
        place_total[key] = explicit[0].value if explicit else sum((p.value for p in sex_parts), Decimal(0))
        for p in sex_parts:
            place_sex.setdefault(key, {}).setdefault(p.sex, Decimal(0))
            place_sex[key][p.sex] += p.value
    total = sum(place_total.values(), Decimal(0))
    if total != t.value:
        out.append(("parts-do-not-add-up",
                    f"the totals by place ({' + '.join(_fmt(v) for v in place_total.values())}) sum to "
                    f"{_fmt(total)}, not the total {_label(t)}", t.index))
    for s in sexes:
        if s.value is None or not all(s.sex in d for d in place_sex.values()) or len(place_sex) != len(places):
            continue
        values = [place_sex[k][s.sex] for k in places]
        across = sum(values, Decimal(0))
        if across != s.value:
            out.append(("parts-do-not-add-up",
                        f"{_SEX_WORD[s.sex]} by place ({' + '.join(_fmt(v) for v in values)}) sum to {_fmt(across)}, "
                        f"but the {_SEX_WORD[s.sex]} total is {_label(s)}", s.index))
