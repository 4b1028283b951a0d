"""Which problem class a new problem probably belongs to, and why (no outside service).

The rule, in full:

1. Text. Each class is a "document": its name, cause and measure and the descriptions of its
   problems (the latest ``PROFILE_PROBLEMS``). Chinese text is cut into overlapping character
   pairs (bigrams: "油烟扰民" -> 油烟, 烟扰, 扰民), Latin letters and digits into words. Each pair
   weighs (1 + log count) x idf, where idf = log((1 + classes) / (1 + classes using it)) + 1, so
   a pair every class uses ("问题") counts little and a telling one ("油烟") much. The text
   score is the cosine of the new description's vector with the class's (0 to 1).
2. Boosts: + ``CATEGORY_BOOST`` when the class's category (or most of its problems' category)
   is the problem's; + ``POINT_BOOST`` when the class already has a problem at the same sample
   point; + ``DISTRICT_BOOST`` when it has one in the same district.
3. The classes scoring at least ``MIN_SCORE`` with some shared text or the same category are
   suggested, best first; each says why: the shared pairs that weigh most, same category,
   same place.

The person accepts a suggestion through problem_classify (the ordinary service), or ignores it.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field

CATEGORY_BOOST = 0.15
POINT_BOOST = 0.10
DISTRICT_BOOST = 0.05
MIN_SCORE = 0.12
PROFILE_PROBLEMS = 300
SHOWN_WORDS = 5

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]{2,}")


def tokens(text: str) -> Counter:
    """Character bigrams of each run of Chinese characters (a lone character counts as itself),
    and Latin words or numbers of two characters or more."""
    text = (text or "").lower()
    counts: Counter = Counter()
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            counts[run] += 1
        counts.update(run[i:i + 2] for i in range(len(run) - 1))
    counts.update(_WORD.findall(text))
    return counts


@dataclass
class ClassProfile:
    """What the rule knows of one class."""

    key: object
    text: Counter
    category_id: int | None = None
    point_ids: set = field(default_factory=set)
    district_ids: set = field(default_factory=set)


@dataclass
class Suggestion:
    key: object
    score: float
    text_score: float
    words: list[str]
    same_category: bool
    same_point: bool
    same_district: bool


def _weights(counts: Counter, idf: dict[str, float]) -> dict[str, float]:
    vector = {term: (1 + math.log(n)) * idf.get(term, 0.0) for term, n in counts.items() if n > 0}
    norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
    return {term: value / norm for term, value in vector.items()}


def rank(*, description: str, category_id=None, point_id=None, district_id=None,
         profiles: list[ClassProfile], limit: int = 3) -> list[Suggestion]:
    """The classes the rule suggests for a problem, best first (at most ``limit``)."""
    if not profiles:
        return []
    document_frequency: Counter = Counter()
    for profile in profiles:
        document_frequency.update(set(profile.text))
    total = len(profiles)
    idf = {term: math.log((1 + total) / (1 + n)) + 1 for term, n in document_frequency.items()}
    query = _weights(tokens(description), idf)
    found = []
    for profile in profiles:
        vector = _weights(profile.text, idf)
        shared = {term: query[term] * vector[term] for term in query.keys() & vector.keys()}
        text_score = sum(shared.values())
        same_category = category_id is not None and profile.category_id == category_id
        same_point = point_id is not None and point_id in profile.point_ids
        same_district = district_id is not None and district_id in profile.district_ids
        score = (text_score + CATEGORY_BOOST * same_category + POINT_BOOST * same_point
                 + DISTRICT_BOOST * same_district)
        if score < MIN_SCORE or not (shared or same_category):
            continue
        words = [term for term, _value in sorted(shared.items(), key=lambda pair: (-pair[1], pair[0]))][:SHOWN_WORDS]
        found.append(Suggestion(key=profile.key, score=round(score, 4), text_score=round(text_score, 4), words=words,
                                same_category=same_category, same_point=same_point, same_district=same_district))
    found.sort(key=lambda item: (-item.score, str(item.key)))
    return found[:limit]


def class_profiles(classes) -> list[ClassProfile]:
    """Profiles of the given ProblemClass rows from their own text and their problems."""
    from collections import defaultdict

    from .models import Problem

    classes = list(classes)
    profiles = {}
    for item in classes:
        text = tokens(" ".join((item.name, item.cause, item.measure)))
        profiles[item.pk] = ClassProfile(key=item, text=text, category_id=item.category_id)
    members = defaultdict(int)
    category_votes: dict[int, Counter] = defaultdict(Counter)
    rows = (Problem.objects.filter(problem_class__in=list(profiles)).order_by("-found_at")
            .values_list("problem_class", "description", "category", "sample_point", "district"))
    for class_id, description, category_id, point_id, district_id in rows.iterator(chunk_size=1000):
        members[class_id] += 1
        if members[class_id] > PROFILE_PROBLEMS:
            continue
        profile = profiles[class_id]
        profile.text.update(tokens(description))
        if point_id:
            profile.point_ids.add(point_id)
        profile.district_ids.add(district_id)
        category_votes[class_id][category_id] += 1
    for class_id, votes in category_votes.items():
        if profiles[class_id].category_id is None:
            profiles[class_id].category_id = votes.most_common(1)[0][0]
    return list(profiles.values())


def suggest_classes(*, user, description: str, category=None, sample_point=None, district=None,
                    exclude=None, limit: int = 3) -> list[Suggestion]:
    """The suggestions for a problem (recorded or about to be) among the classes ``user`` sees;
    ``Suggestion.key`` is the ProblemClass."""
    from .models import ProblemClass

    classes = ProblemClass.objects.visible_to(user).select_related("category")
    if exclude is not None:
        classes = classes.exclude(pk=exclude)
    return rank(description=description, category_id=getattr(category, "pk", category),
                point_id=getattr(sample_point, "pk", sample_point), district_id=getattr(district, "pk", district),
                profiles=class_profiles(classes), limit=limit)
