"""The map's search box: water systems (name, code, communities), districts, provinces and
the provincial capitals, forgiving of accents, case and small typos.

How (PostgreSQL's manual pairs pg_trgm with word search this way): the query is folded like
the data (``yaku_fold``: lower case, no accents) and cut into words; each word is looked up in
``search_word``, the vocabulary of every system's words (a few thousand, trigram-indexed), which
turns a typo into the words it may mean, and the last word into the words it begins (the person
may still be typing). Systems must then hold, for every word of the query, one of its
candidates (``search_words && candidates``, a GIN index on an array), and rank by how exact the
matches are. Districts, provinces and capitals are a hundred rows: compared directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from geodata.models import AdminArea, AreaLevel, Place, SearchWord, WaterSystem

MAX_WORDS = 6  # words of one query that filter; more say nothing a person types into a map
CANDIDATES_PER_WORD = 8
# Trigram similarity of a typo to the word meant: 0.25 keeps two swapped letters of a short
# word ("brocne" for "bronce" is 0.27), a little under pg_trgm's default 0.3.
NEAR_ENOUGH = 0.25
NEAR_WORDS = 4  # the closest few are what a typo meant; more only widen the match
CODE_DIGITS = 4  # a number this long in a query is (part of) a code
MIN_WORD = 3  # shorter words ("de", "la") would match everything: they do not filter
PLACE_THRESHOLD = 0.5  # word similarity for district, province and capital names
# Systems ranked per query, at most: a word as common as "san" matches thousands of systems,
# and ranking them all costs more than it tells anyone; past this the answer says "type more".
RANKED_AT_MOST = 1000

# unaccent's rules for the letters that NFKD leaves whole (it maps these too).
_UNACCENT_EXTRA = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l"})
_NOT_A_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """What the database's ``yaku_fold`` does (lower case, accents off), in Python: a query is
    cut into words without a round trip. ``tests/test_search.py`` holds the two together."""
    lowered = text.lower().translate(_UNACCENT_EXTRA)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


PREFIX_SCORE = 0.9  # a word the person is still typing ("huama" for "huamachuco")


@dataclass(frozen=True, slots=True)
class Candidates:
    """The vocabulary words one query word may mean, in three tiers: the word itself, words it
    begins (only the last word of the query), near words (typos) with their best similarity."""

    exact: list[str]
    begun: list[str]
    near: dict[float, list[str]]  # similarity -> words: a closer typo ranks higher

    @property
    def every(self) -> list[str]:
        return self.exact + self.begun + [w for words in self.near.values() for w in words]


def query_words(query: str) -> list[str]:
    """The query folded like the data and cut into words (in the order typed)."""
    return [w for w in _NOT_A_WORD.split(fold(query)) if w][: MAX_WORDS * 2]


def _like_prefix(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@lru_cache(maxsize=64)
def _lookup_statement(prefixes: tuple[bool, ...]) -> Any:
    """For each query word, the vocabulary words nearest to it (and, for the word still
    being typed, those it begins), by the trigram GiST index: nearest-neighbour order
    (``<->``) always takes the index, where a similarity filter may make PostgreSQL compare
    every word. Built once per shape of query, with bound parameters ``w<i>`` and ``p<i>``."""
    parts = []
    for i, prefix in enumerate(prefixes):
        word = bindparam(f"w{i}", type_=Text)
        parts.append(
            select(
                literal_column(str(i)).label("ord"),
                SearchWord.word,
                func.similarity(SearchWord.word, word).label("score"),
            )
            .order_by(SearchWord.word.op("<->")(word))
            .limit(CANDIDATES_PER_WORD)
            .subquery()
            .select()
        )
        if prefix:
            parts.append(
                select(
                    literal_column(str(i)).label("ord"),
                    SearchWord.word,
                    literal_column(repr(PREFIX_SCORE)).label("score"),
                )
                .where(
                    SearchWord.word.like(bindparam(f"p{i}", type_=Text), escape="\\"),
                    SearchWord.word != word,
                )
                .order_by(func.length(SearchWord.word), SearchWord.word)
                .limit(CANDIDATES_PER_WORD)
                .subquery()
                .select()
            )
    return union_all(*parts)


def candidates(session: Session, words: list[str]) -> list[Candidates]:
    """For each filtering word (three letters or more, or a number), its vocabulary words."""
    usable = [w for w in words if len(w) >= MIN_WORD or w.isdigit()][:MAX_WORDS]
    code_numbers = [w for w in usable if w.isdigit() and len(w) >= CODE_DIGITS]
    if code_numbers:
        # A code's number names one system; its prefix ("siasar", "syn") is shared by
        # thousands and would only make the index read them all.
        usable = code_numbers
    if not usable:
        return []
    last = len(usable) - 1
    # Numbers (of codes) are matched as typed; the vocabulary holds words with letters.
    spelled = [(i, w) for i, w in enumerate(usable) if not w.isdigit()]
    by_word: dict[int, list[tuple[str, float]]] = defaultdict(list)
    if spelled:
        statement = _lookup_statement(tuple(i == last for i, _ in spelled))
        params: dict[str, Any] = {}
        for n, (_, w) in enumerate(spelled):
            params[f"w{n}"] = w
            params[f"p{n}"] = _like_prefix(w)
        for row in session.execute(statement, params).all():
            if row.score >= NEAR_ENOUGH:
                by_word[spelled[int(row.ord)][0]].append((row.word, float(row.score)))
    out = []
    for index, word in enumerate(usable):
        words_here = [(word, 1.0)] if word.isdigit() else by_word.get(index)
        if not words_here:
            continue  # a word the data never uses ("agua", "sistema" typed oddly): ignored
        exact = [w for w, score in words_here if score >= 1.0]
        begun = [w for w, score in words_here if score == PREFIX_SCORE and w not in exact]
        near: dict[float, list[str]] = defaultdict(list)
        for w, score in words_here[:NEAR_WORDS]:
            # A word spelled as the data spells it is not a typo: no near words for it (they
            # would only widen the match to other villages, and cost time).
            if not exact and w not in begun:
                near[round(score, 2)].append(w)
        out.append(Candidates(exact, begun, dict(near)))
    return out


def search_systems(
    session: Session, query: str, limit: int, words: list[str] | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """The best systems for ``query``, and whether more matched than were ranked."""
    words = query_words(query) if words is None else words
    wanted = candidates(session, words)
    if not wanted:
        return [], False
    found, more = _ranked(session, wanted, words, limit)
    sure = [c for c in wanted if c.exact or c.begun]
    if not found and 0 < len(sure) < len(wanted):
        # Nothing holds every word: a badly typed one is dropped rather than answer nothing.
        found, more = _ranked(session, sure, words, limit)
    return found, more


_district = aliased(AdminArea)
_parent = aliased(AdminArea)


@lru_cache(maxsize=128)
def _systems_statement(shape: tuple[int, ...]) -> Any:
    """The ranked systems for a query whose word ``i`` has ``shape[i]`` tiers of near words;
    built once per shape, with bound parameters (statement building costs more than the
    query itself on a busy machine)."""
    held = WaterSystem.search_words
    conditions = []
    score: Any = literal_column("0.0")
    for i, near_tiers in enumerate(shape):

        def holds(name: str, i: int = i) -> Any:
            return cast(held.op("&&")(bindparam(f"{name}_{i}", type_=ARRAY(Text))), Integer)

        conditions.append(held.op("&&")(bindparam(f"any_{i}", type_=ARRAY(Text))))
        tiers = [holds("exact"), holds("begun") * PREFIX_SCORE]
        tiers += [
            holds(f"near{n}") * bindparam(f"near_score{n}_{i}", type_=Float)
            for n in range(near_tiers)
        ]
        score = score + func.greatest(*tiers)
    score = (score / len(shape)).label("score")
    matched = (
        select(
            WaterSystem.code,
            WaterSystem.name,
            WaterSystem.communities,
            WaterSystem.status,
            WaterSystem.alert_category,
            WaterSystem.geom,
            WaterSystem.district_id,
            WaterSystem.population_served,
            score,
        )
        .where(*conditions)
        .limit(bindparam("ranked", type_=Integer))
        .subquery()
    )
    return (
        select(
            matched.c.code,
            matched.c.name,
            matched.c.communities,
            matched.c.status,
            matched.c.alert_category,
            func.ST_X(matched.c.geom).label("lon"),
            func.ST_Y(matched.c.geom).label("lat"),
            _district.name.label("district"),
            matched.c.score,
            func.count().over().label("matched"),
        )
        .outerjoin(_district, _district.id == matched.c.district_id)
        .order_by(  # the closest name (fewest other words) first, then the most people
            matched.c.score.desc(),
            func.length(matched.c.name),
            matched.c.population_served.desc().nulls_last(),
            matched.c.code,
        )
        .limit(bindparam("limit", type_=Integer))
    )


def _ranked(
    session: Session, wanted: list[Candidates], words: list[str], limit: int
) -> tuple[list[dict[str, Any]], bool]:
    params: dict[str, Any] = {"limit": limit, "ranked": RANKED_AT_MOST}
    shape = []
    for i, c in enumerate(wanted):
        params[f"any_{i}"] = c.every
        params[f"exact_{i}"] = c.exact
        params[f"begun_{i}"] = c.begun
        tiers = sorted(c.near.items(), reverse=True)
        for n, (similarity, near_words) in enumerate(tiers):
            params[f"near{n}_{i}"] = near_words
            params[f"near_score{n}_{i}"] = similarity
        shape.append(len(tiers))
    rows = session.execute(_systems_statement(tuple(shape)), params).all()
    folded = set(words)
    found = [
        {
            "kind": "system",
            "code": row.code,
            "name": row.name,
            "community": _matching_community(row.communities, folded),
            "district": row.district,
            "status": str(row.status),
            "alert": row.alert_category,
            "lon": round(row.lon, 5),
            "lat": round(row.lat, 5),
            "score": round(float(row.score), 3),
        }
        for row in rows
    ]
    return found, bool(rows) and rows[0].matched >= RANKED_AT_MOST


def _matching_community(communities: list[str] | None, words: set[str]) -> str | None:
    """The community the person probably meant (most words in common), to show beside the
    system's name; None when the system has none."""
    if not communities:
        return None
    return max(communities, key=lambda c: len(words & set(c.lower().split())))


@lru_cache(maxsize=1)
def _areas_statement() -> Any:
    folded = func.yaku_fold(bindparam("q", type_=Text))
    limit = bindparam("limit", type_=Integer)
    area_score = func.word_similarity(folded, func.yaku_fold(AdminArea.name))
    areas = (
        select(
            cast(AdminArea.level, Text).label("kind"),
            AdminArea.ubigeo_inei.label("key"),
            AdminArea.name,
            _parent.name.label("parent"),
            func.ST_XMin(AdminArea.geom).label("x0"),
            func.ST_YMin(AdminArea.geom).label("y0"),
            func.ST_XMax(AdminArea.geom).label("x1"),
            func.ST_YMax(AdminArea.geom).label("y1"),
            area_score.label("score"),
        )
        .outerjoin(_parent, _parent.id == AdminArea.parent_id)
        .where(
            AdminArea.level.in_([AreaLevel.DISTRICT, AreaLevel.PROVINCE]),
            area_score >= PLACE_THRESHOLD,
        )
        .order_by(area_score.desc(), AdminArea.level, AdminArea.name)
        .limit(limit)
    )
    place_score = func.word_similarity(folded, func.yaku_fold(Place.name))
    x, y = func.ST_X(Place.geom), func.ST_Y(Place.geom)
    places = (
        select(
            literal_column("'place'", Text).label("kind"),
            Place.code.label("key"),
            Place.name,
            Place.province.label("parent"),
            x.label("x0"),
            y.label("y0"),
            x.label("x1"),
            y.label("y1"),
            place_score.label("score"),
        )
        .where(place_score >= PLACE_THRESHOLD)
        .order_by(place_score.desc(), Place.name)
        .limit(limit)
    )
    return union_all(areas.subquery().select(), places.subquery().select())


def search_areas(session: Session, query: str, limit: int) -> list[dict[str, Any]]:
    """Districts and provinces (zoom to them) and provincial capitals (centre on them), in
    one round trip."""
    found = []
    for row in session.execute(_areas_statement(), {"q": query, "limit": limit}).all():
        item: dict[str, Any] = {"kind": row.kind, "name": row.name}
        if row.kind == "place":
            item.update(
                code=row.key, province=row.parent, lon=round(row.x0, 5), lat=round(row.y0, 5)
            )
        else:
            item.update(
                ubigeo=row.key,
                province=row.parent if row.kind == AreaLevel.DISTRICT.value else None,
                bbox=[round(float(v), 5) for v in (row.x0, row.y0, row.x1, row.y1)],
            )
        item["score"] = round(float(row.score), 3)
        found.append(item)
    return found


KIND_ORDER = {"district": 0, "province": 1, "place": 2, "system": 3}


@dataclass(frozen=True, slots=True)
class Results:
    items: list[dict[str, Any]]
    more: bool  # more systems matched than were ranked: a longer query would help


def search(session: Session, query: str, limit: int = 10) -> Results:
    """Everything that matches ``query``, best first (areas before systems on a tie)."""
    query = " ".join(query.split())
    if not query:
        return Results([], False)
    systems, more = search_systems(session, query, limit)
    found = search_areas(session, query, limit) + systems
    found.sort(key=lambda item: (-item["score"], KIND_ORDER[item["kind"]]))
    return Results(found[:limit], more)
