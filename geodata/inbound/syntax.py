"""The short Spanish syntax of reports and answers sent by SMS or WhatsApp (pure functions).

Case, accents and spacing do not matter: ``agua 160421 no hay``, ``AGUA  SIASAR-160421 Turbia``
and ``Agua160421NOHAY`` say the same. What a message can be:

* ``AGUA <código del sistema> <problema>``: a report; the problem words (``NOHAY``/``NO HAY``,
  ``TURBIA``, ``OLOR``, ``ROTA``, ``FUGA``, ...) give its category (``other`` when none);
* ``ESTADO <código de seguimiento>``: how a report is going;
* ``<1-4> [código de seguimiento] [nota]``: a provider's numbered answer to a notice
  (whether the sender may answer is decided elsewhere: only registered numbers may);
* any other text that says something (a problem word, a system code, or a few words): a
  free-text report, routed by the system code when the text names one;
* anything else (empty, a greeting, a stray character): not understood, answered with help.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from geodata.models.enums import ReportCategory
from geodata.reports.codes import TRACKING_ALPHABET, TRACKING_LENGTH, normalize_tracking_code

REPORT_WORD = "AGUA"
STATUS_WORDS = ("ESTADO", "SEGUIMIENTO", "STATUS")

# Problem words as people write them (folded: upper case, no accents), by category. Written
# together or apart (``NO HAY``), singular or plural, masculine or feminine.
PROBLEM_WORDS: dict[ReportCategory, tuple[str, ...]] = {
    ReportCategory.SUSPECTED_CONTAMINATION: (
        "CONTAMINADA",
        "CONTAMINADO",
        "CONTAMINACION",
        "DIARREA",
        "ENFERMOS",
        "GUSANOS",
    ),
    ReportCategory.NO_WATER: ("NOHAY", "SINAGUA", "NOLLEGA", "NOSALE", "NOHAYAGUA", "SECO"),
    ReportCategory.BROKEN_INFRASTRUCTURE: (
        "ROTA",
        "ROTO",
        "ROTAS",
        "ROTOS",
        "ROTURA",
        "ROMPIO",
        "ROMPIERON",
        "MALOGRO",
        "MALOGRADA",
        "MALOGRADO",
        "AVERIA",
    ),
    ReportCategory.LEAK: ("FUGA", "FUGAS", "GOTEA", "DESPERDICIO"),
    ReportCategory.TURBID_WATER: (
        "TURBIA",
        "TURBIAS",
        "TURBIO",
        "BARRO",
        "SUCIA",
        "SUCIO",
        "MARRON",
    ),
    ReportCategory.BAD_TASTE_SMELL_COLOUR: ("OLOR", "HUELE", "SABOR", "COLOR", "APESTA"),
    ReportCategory.INTERMITTENT_SUPPLY: ("POCA", "INTERMITENTE", "AVECES", "CORTES", "CORTAN"),
}
# The order above is the priority when a message names several problems: the most serious.
_WORD_CATEGORY = {w: c for c, words in PROBLEM_WORDS.items() for w in words}

# A system or source code: SIASAR-160421, siasar 160421, or just its number (3+ digits).
# A prefix is joined to the number, or is SIASAR's written apart ("sistema 160421": only 160421).
_CODE = re.compile(r"\b(?:([A-Z]{2,12})-?|(SIASAR) )?(\d{3,})\b")
_TRACKING = re.compile(rf"^[{TRACKING_ALPHABET}]{{{TRACKING_LENGTH}}}$")
_ANSWER = re.compile(r"^\s*([1-4])(?:\s*[.)\-:]\s*|\s+|$)(.*)$", re.DOTALL)
_WORD = re.compile(r"[A-Z]+")
MIN_FREE_TEXT_LETTERS = 12  # "hola", "ok", "?" are not reports; "el caño gotea" is
# Words that alone say nothing about water: a greeting or a request for help gets the help.
SMALL_TALK = frozenset(
    {
        *("HOLA", "BUENOS", "BUENAS", "BUEN", "DIA", "DIAS", "TARDES", "NOCHES", "GRACIAS"),
        *("MUCHAS", "OK", "SI", "NO", "INFO", "AYUDA", "MENU", "QUE", "COMO", "ES", "ESTO"),
        *("HELP", "HELLO", "PRUEBA", "TEST"),
    }
)


class Kind(enum.StrEnum):
    REPORT = "report"
    STATUS = "status"
    ANSWER = "answer"
    UNKNOWN = "unknown"


class Choice(enum.IntEnum):
    """The numbered answers a notice invites."""

    RECEIVED = 1  # recibido
    IN_REPAIR = 2  # en reparación
    RESOLVED = 3  # resuelto
    NOT_OURS = 4  # no nos corresponde


@dataclass(frozen=True, slots=True)
class Parsed:
    kind: Kind
    category: ReportCategory | None = None
    codes: tuple[str, ...] = ()  # system/source code candidates, most explicit first
    description: str = ""  # the person's own words (reports) or the note (answers)
    structured: bool = False  # a report written as AGUA ...
    tracking_code: str | None = None  # ESTADO <code>, or an answer naming its report
    choice: Choice | None = None


def fold(text: str) -> str:
    """Upper case without accents, one space between words (Ñ stays Ñ: NFC after folding)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u0303")
    folded = unicodedata.normalize("NFC", kept).upper()
    return " ".join(folded.split())


def _code_candidates(folded: str) -> tuple[str, ...]:
    """``SIASAR-160421`` and ``160421`` for every code-like token, in order of appearance."""
    found: list[str] = []
    for match in _CODE.finditer(folded):
        prefix, digits = match.group(1) or match.group(2), match.group(3)
        if prefix and prefix not in (REPORT_WORD, *STATUS_WORDS) and prefix not in _WORD_CATEGORY:
            found.append(f"{prefix}-{digits}")
        found.append(digits)
    return tuple(dict.fromkeys(found))


def category_of(folded: str) -> ReportCategory | None:
    """The most serious problem the text names (words, or two words written apart)."""
    words = _WORD.findall(folded)
    seen: set[ReportCategory] = set()
    for i, word in enumerate(words):
        for candidate in (word, "".join(words[i : i + 2]), "".join(words[i : i + 3])):
            category = _WORD_CATEGORY.get(candidate)
            if category is not None:
                seen.add(category)
    for category in PROBLEM_WORDS:  # priority order
        if category in seen:
            return category
    return None


def _category_in_compact(compact: str) -> ReportCategory | None:
    """For AGUA messages written without spaces: problem words inside the run of letters."""
    for category, words in PROBLEM_WORDS.items():
        if any(word in compact for word in words):
            return category
    return None


def tracking_code_in(text: str) -> str | None:
    normalized = normalize_tracking_code(text)
    return normalized if _TRACKING.match(normalized) else None


def _strip_word(original: str, word: str) -> str:
    """The text after its leading command word, however it was written (``Agua160421``)."""
    i = 0
    matched = 0
    while i < len(original) and matched < len(word):
        if fold(original[i]) == word[matched]:
            matched += 1
        elif not original[i].isspace():
            break
        i += 1
    return original[i:].strip()


def parse(text: str, *, answers: bool = True) -> Parsed:
    """What ``text`` says. ``answers``: whether a leading 1-4 is a numbered answer (only for
    senders who may answer; for others ``2 dias sin agua`` is a report)."""
    original = (text or "").strip()
    folded = fold(original)
    if not folded:
        return Parsed(Kind.UNKNOWN)
    first = folded.split(" ", 1)[0]
    for word in STATUS_WORDS:
        if first.startswith(word):
            rest = folded[len(word) :].strip()
            return Parsed(Kind.STATUS, tracking_code=normalize_tracking_code(rest) or None)
    answer = _ANSWER.match(original) if answers else None
    if answer:
        return _answer(answer.group(1), answer.group(2))
    if folded.replace(" ", "").startswith(REPORT_WORD):
        return _structured(original, folded)
    return _free_text(original, folded)


def _answer(number: str, rest: str) -> Parsed:
    rest = rest.strip()
    head, _, tail = rest.partition(" ")
    code = tracking_code_in(head) if head else None
    note = tail.strip() if code else rest
    return Parsed(
        Kind.ANSWER, choice=Choice(int(number)), tracking_code=code, description=note.strip()
    )


def _structured(original: str, folded: str) -> Parsed:
    rest = fold(_strip_word(original, REPORT_WORD))
    spaced = re.sub(r"(?<=[A-Z])(?=\d)|(?<=\d)(?=[A-Z])", " ", rest)
    codes = _code_candidates(spaced)
    letters = re.sub(r"[^A-Z]", "", _CODE.sub(" ", spaced))
    category = category_of(spaced) or _category_in_compact(letters) or ReportCategory.OTHER
    return Parsed(
        Kind.REPORT,
        category=category,
        codes=codes,
        description=original,
        structured=True,
    )


def _free_text(original: str, folded: str) -> Parsed:
    category = category_of(folded)
    codes = _code_candidates(folded)
    letters = sum(1 for c in folded if c.isalpha())
    if category is None and not codes and set(_WORD.findall(folded)) <= SMALL_TALK:
        return Parsed(Kind.UNKNOWN, description=original)
    if category is None and not codes and letters < MIN_FREE_TEXT_LETTERS:
        return Parsed(Kind.UNKNOWN, description=original)
    if category is None and letters < MIN_FREE_TEXT_LETTERS // 2:
        return Parsed(Kind.UNKNOWN, description=original)  # a bare number is not a report
    return Parsed(
        Kind.REPORT,
        category=category or ReportCategory.OTHER,
        codes=codes,
        description=original,
    )
