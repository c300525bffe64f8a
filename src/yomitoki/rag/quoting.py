"""How the offline answerer says the sentences it chose: cited, attributed, labelled.

Each sentence is quoted as written with its citation before its closing punctuation. One that
does not say what it is about is given its document's title; one that is an example, a
comment or a blank of a model document says so (``text.template``); quoting the other
language, the answer leads with the asked-for quantity in the question's own language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from yomitoki.rag.extractive import Composed, Evidence
from yomitoki.rag.quantities import Period, Unit, said_in, stated
from yomitoki.rag.subjects import is_subject
from yomitoki.text import citations
from yomitoki.text.analyzer import content_terms
from yomitoki.text.language import Language, has_japanese
from yomitoki.text.sentences import SENTENCE_END

#: A Japanese sentence with one of these points back at something it does not name
#: (この国, 同社, 本条, 当該): its document's title says what.
_POINTS_BACK = re.compile(r"この|その(?!他|ほか)|あの|これ|それ|同[国社法氏市町村]|本[条件]|当該")
#: ... otherwise one whose topic is in its first words ("年次有給休暇は、…") says it itself.
_TOPIC = re.compile(r"^[^、。]{1,25}?(?:とは|は|が)")


@dataclass(frozen=True, slots=True)
class Asked:
    """What the question asks, as far as saying the answer goes."""

    #: A quantity of something (何日, 何分) or whether (〜されますか): a Japanese sentence
    #: naming its own topic or the question's ``topic`` needs no title.
    topical: bool = False
    topic: str = ""
    #: The unit of the quantity asked for, in either language.
    unit: Unit | None = None
    #: The length of time it is counted over ("each week", 「１か月」), if the question says.
    per: Period | None = None


def cite(evidence: Evidence) -> str:
    """The sentence with its citation before its closing punctuation (no space in Japanese);
    brackets in the sentence that look like citations are its words, shown as text."""
    sentence = citations.neutralise(evidence.text)
    match = SENTENCE_END.search(sentence)
    body, end = (sentence, "") if match is None else (sentence[: match.start()], match.group(1))
    space = "" if body[-1:] and not body[-1].isascii() else " "
    return f"{body}{space}[{evidence.citation}]{end}"


def names_its_source(evidence: Evidence, topical: bool = False, topic: str = "") -> bool:
    """Does the sentence say what it is about: the longest word of its document's title?

    ("The Northwind Standard plan covers…" names "Zava Northwind Health Standard Plan"; "この国
    だけ" does not name "ドミニカ国".) A missing or sentence-like title counts as named. For a
    ``topical`` question, a Japanese sentence names what it is about when it opens with its
    own topic or holds the question's ``topic`` (「年次有給休暇」 of 「年次有給休暇は何日？」).
    """
    title = evidence.title or ""
    if not is_subject(title):
        return True
    if topical and has_japanese(evidence.text):
        # 「年次有給休暇は、…」 says what it is about; 「この国だけ…」 does not.
        if _POINTS_BACK.search(evidence.text):
            return False
        text = unicodedata.normalize("NFKC", evidence.text)
        return bool(_TOPIC.match(text)) or bool(topic and topic in text)
    words = content_terms(title)
    if not words:
        return True
    longest = max(map(len, words))
    return any(w in evidence.terms for w in words if len(w) == longest)


def attributed(evidence: Evidence, label: str = "") -> str:
    """The cited sentence after its document's title.

    A sentence lifted out of its document often leaves its subject behind ("the only country
    in the eastern Caribbean where…", "this plan does not cover…"); the title puts it back.
    """
    colon = "：" if has_japanese(evidence.text) else ": "
    return f"{evidence.title}{colon}{label}{cite(evidence)}"


#: How an answer says what a quoted sentence of a model document is, in each language.
LABELS = {
    "ja": {
        "example": "規程例［{number}］（{label}）では、",
        "commentary": "【{label}】の解説：",
        "blank": "（○・空欄は各社が定める値）",
        "example_lead": "（規程例の値）",
        "commentary_lead": "（解説の値）",
    },
    "en": {
        "example": "In one of the model's examples ({number}: {label}): ",
        "commentary": "The model's commentary ({label}): ",
        "blank": "(○ and gaps are for each employer to fill in) ",
        "example_lead": ", in one of the model's examples",
        "commentary_lead": ", in the model's commentary",
    },
}


def labelled(evidence: Evidence, language: Language) -> str:
    """What the quoted sentence is when it is not a rule of its document: one of a model's
    examples, its commentary, or a rule with blanks for the employer; "" for a rule."""
    labels = LABELS[language]
    place = evidence.place
    label = "" if place is None else labels[place.kind].format(**asdict(place))
    return label + (labels["blank"] if evidence.blank else "")


def render(
    composed: Composed, language: Language, lead_in: str, asked: Asked = Asked()
) -> list[str]:
    """The answer as pieces of text to stream: an optional lead-in, then one per sentence.

    ``lead_in`` is said first when the sentences are not in the question's language, so a
    Japanese question answered from English documents says that it quotes them; before it,
    the quantity the question asks for (``asked.unit``) said in the question's language,
    cited, when the first sentence states one ("10 days [rules.pdf#page=38]."). A sentence
    that does not name its document's subject is given the document's title, unless the
    sentence before it came from a document of the same title. For a ``topical`` question a
    Japanese sentence that names its own topic or the question's topic needs no title; a
    question asking for a thing may be answered by the title itself (「…唯一の内陸国はどこか」:
    ラオス), so there the title stays. An example, a comment or a blank of a model document
    says that it is one (``labelled``).
    """
    pieces = []
    quoted_ja = all(has_japanese(e.text) for e in composed.sentences)
    if (language == "ja") != quoted_ja:
        pieces += _lead(composed, language, asked.unit, asked.per)
        pieces.append(lead_in)
    previous: str | None = None
    for number, evidence in enumerate(composed.sentences):
        joiner = "" if number == 0 or (quoted_ja and language == "ja") else " "
        if number == 0 and pieces:
            joiner = "\n"
        named = names_its_source(evidence, asked.topical, asked.topic)
        new_subject = evidence.title != previous and not named
        label = labelled(evidence, language)
        said = attributed(evidence, label) if new_subject else label + cite(evidence)
        pieces.append(joiner + said)
        if evidence.then is not None:  # the list's items on the next page, cited to it
            pieces.append(("" if quoted_ja and language == "ja" else " ") + cite(evidence.then))
        previous = evidence.title
    return pieces


#: The learned scorer's probability below which a sentence's quantity is not stated as the
#: answer in the question's language: the sentence is quoted, its number not vouched for.
LEAD_CONFIDENCE = 0.5


def _lead(
    composed: Composed, language: Language, unit: Unit | None, per: Period | None = None
) -> list[str]:
    """The asked-for quantity of the first sentence said in ``language``, cited; none when the
    question asks for none, the first sentence states none, or the learned scorer doubts that
    the sentence answers (「１日の所定労働時間」 is no answer to "how many days of leave"). A
    quantity of one of a model's examples, or of its commentary on a rule, is said to be one
    ("60 years old, in one of the model's examples"), not stated as the rule."""
    if not composed.sentences or unit is None:
        return []
    first = composed.sentences[0]
    quantity = stated(first.text, unit, rates=False, per=per)
    doubted = first.learned is not None and first.learned < LEAD_CONFIDENCE
    if quantity is None or doubted:
        return []
    said = said_in(quantity, unit, language == "ja")
    if first.place is not None and first.place.kind in ("example", "commentary"):
        said += LABELS[language][f"{first.place.kind}_lead"]
    return [
        f"{said}[{first.citation}]。\n" if language == "ja" else f"{said} [{first.citation}].\n"
    ]
