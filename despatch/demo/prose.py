"""Synthetic diplomatic prose for the seeded corpus: titles, ledes and whole bodies.

The text is assembled from word lists and sentence patterns written for this
module, so a corpus of any size reads like an embassy's blog without copying
anyone's words. Every function takes the ``random.Random`` to draw from: the
same seed always gives the same text.

Patterns and word lists avoid apostrophes, quotation marks, double hyphens and
Markdown punctuation. That keeps ledes "plain text": the renderer would turn
them into one ``<p>`` unchanged, so the corpus can build their HTML by hand
instead of running the renderer once per post (see ``is_plain_text``).
"""

from __future__ import annotations

import random
import re

PLACES = (
    "Accra", "Almaty", "Amman", "Apia", "Asunción", "Bishkek", "Bogotá", "Dakar", "Dhaka",
    "Gaborone", "Hanoi", "Kigali", "Kingston", "La Paz", "Lima", "Lusaka", "Maputo",
    "Montevideo", "Nairobi", "Nuku'alofa", "Port Moresby", "Reykjavik", "Riga", "Santiago",
    "Skopje", "Suva", "Tallinn", "Tbilisi", "Tromsø", "Ulaanbaatar", "Vilnius", "Windhoek",
    "Yerevan", "Zagreb",
)  # fmt: skip
# Nuku'alofa carries an apostrophe, which the renderer would curl; it only
# appears in bodies, which go through the real renderer.
LEDE_PLACES = tuple(place for place in PLACES if "'" not in place)

TOPICS = (
    "climate adaptation", "maritime security", "press freedom", "renewable energy",
    "trade facilitation", "cyber resilience", "food security", "the rule of law",
    "disaster preparedness", "nuclear non-proliferation", "vaccine supply chains",
    "fisheries management", "anti-corruption reform", "freedom of religion or belief",
    "the energy transition", "election observation", "landmine clearance",
    "refugee protection", "digital public infrastructure", "Arctic research",
    "ocean protection", "critical minerals", "humanitarian access", "education for girls",
    "water security", "media literacy", "small business exports", "clean air",
    "biodiversity finance", "peacebuilding", "the protection of civilians",
    "modern slavery", "wildlife trafficking", "health research", "space cooperation",
)  # fmt: skip

PARTNERS = (
    "the African Union", "the Pacific Islands Forum", "our ASEAN partners", "the Nordic Council",
    "civil society organisations", "the port authority", "local journalists",
    "the chamber of commerce", "university researchers", "the regional water board",
    "women mediators", "young entrepreneurs", "the UN country team", "the ministry of health",
    "coastal communities", "the electoral commission", "indigenous leaders",
    "the national parliament", "farmers cooperatives", "the central bank",
    "a group of alumni from our scholarship programme", "teachers from rural schools",
    "the city council", "humanitarian agencies", "the coastguard",
)  # fmt: skip

ACTORS = (
    "the ambassador", "our deputy head of mission", "the trade team",
    "a delegation from the capital", "the minister", "our political section",
    "the consular team", "the defence attaché", "colleagues from the development office",
    "the embassy", "our honorary consul", "the science and innovation network",
    "the press and public affairs team", "our climate attaché",
)  # fmt: skip

MOMENTS = (
    "This week", "On Tuesday", "Earlier this month", "Last spring", "Over three days",
    "Before the summit", "At the end of a long week", "On a cold morning",
    "Just after the election", "During the rainy season", "Late last year",
    "On the first day of the conference", "Over the weekend", "Two months ago",
)  # fmt: skip

DEADLINES = (
    "the end of the year", "the next ministerial meeting", "the spring session",
    "the next round of talks", "the summit in the autumn", "the review conference",
    "the start of the next financial year", "the anniversary of the agreement",
)  # fmt: skip

PEOPLE = (
    "students", "nurses", "fishers", "small traders", "local officials", "journalists",
    "young people", "teachers", "engineers", "volunteers", "judges", "farmers",
)  # fmt: skip

EVERYDAY = (
    "what families pay for bread", "how children get to school", "which roads stay open",
    "whether the harvest comes in", "what fishers bring home", "how long a court case takes",
    "what a small business can sell abroad", "whether the clinic has power at night",
)  # fmt: skip

COMMITMENTS = (
    "a joint work plan within six months", "regular meetings of officials",
    "an annual public report on progress", "a shared fund for local projects",
    "an exchange programme for young professionals", "open data on every project",
)  # fmt: skip

NUMBERS = (
    "two hundred", "three hundred", "five hundred", "eight hundred", "a thousand",
    "twelve hundred", "two thousand", "several thousand",
)  # fmt: skip

SPEAKERS = (
    "a fisheries inspector", "the mayor", "a student at the national university",
    "a community health worker", "the head of the chamber of commerce", "a retired diplomat",
    "a young climate campaigner", "a judge of the supreme court", "a coastguard captain",
)  # fmt: skip

SENTENCES = (
    "{moment}, {actor} met {partner} in {place} to talk about {topic}.",
    "The conversation kept returning to {topic}, and to what {partner} can do before {deadline}.",
    "{partner} made a simple point: progress on {topic} depends on trust as much as on money.",
    "We agreed to meet again before {deadline} and to publish what we learn along the way.",
    "Nobody in the room pretended that {topic} is easy, but everyone wanted results by {deadline}.",
    "In {place}, {topic} is not an abstract question; it shapes {everyday}.",
    "Our programme on {topic} has now reached {number} {people} in and around {place}.",
    "That is why we work with {partner} on {topic}, and why we will keep reporting here on "
    "what works and what does not.",
    "A small grant from the embassy helped {partner} bring {people} together for the first time.",
    "The figures matter, but so do the stories we heard over lunch.",
    "There is still a long way to go, and we said so plainly.",
    "I left {place} with a notebook full of ideas and a clearer sense of the next steps.",
    "Several speakers argued that {topic} and {topic2} cannot be tackled separately.",
    "The joint statement, agreed late on the second evening, commits both sides to {commitment}.",
    "{actor} also spent an afternoon with {people} who had travelled from across the region.",
    "What struck me most was how much {people} already know about {topic}.",
    "We do not have every answer, and {partner} rightly challenged us on {topic2}.",
    "Diplomacy is often slow, but on {topic} the pace has picked up this year.",
    "The next step is practical: {commitment}, with {partner} at the table from the start.",
    "On the way back, the talk in the car was all about {everyday}.",
    "For {people} in {place}, the question is less what governments promise than what "
    "changes by {deadline}.",
    "It was a reminder that work on {topic} is, in the end, about {everyday}.",
    "We listened more than we spoke, which is usually the right way round.",
    "Our colleagues in {place2} have faced the same questions on {topic}, and their "
    "experience helped.",
    "By the end of the day we had a short list of commitments and a long list of questions.",
    "The ministry in the capital will follow up on {topic} with {partner} before {deadline}.",
    "Each of those meetings began with the same question: what would success look like for "
    "{people}?",
    "None of this would have happened without {partner}, who did most of the hard work.",
    "The evening ended with music, good food and a promise to keep in touch.",
    "Funding is part of the answer, but {partner} asked above all for steady partnership.",
)

OCCASIONS = (
    "UN General Assembly", "Climate summit", "Human Rights Council", "G20", "Trade mission",
    "Consular assistance", "Travel advice", "Scholarships", "Women, peace and security",
    "National day", "State visit", "Science diplomacy", "Culture", "Sport", "Alumni",
    "Open government", "Development", "Security Council", "Arctic Council", "Mine action",
    "Elections", "Public diplomacy", "Digital diplomacy", "Languages", "Museums",
)  # fmt: skip

HEADINGS = (
    "What we heard", "The next steps", "Why it matters", "What comes next", "On the ground",
    "The view from {place}", "Listening first", "Lessons from {place}", "A practical agenda",
    "The numbers behind {topic}", "Working with {partner}", "Looking ahead to {deadline}",
)  # fmt: skip

# Three slots to a title, so that even 20,000 posts on one blog rarely repeat one.
TITLES = (
    "{Topic} in {place}: what we learned from {people}",
    "Why {topic} matters to {partner} in {place}",
    "A week in {place}: {topic} and {topic2}",
    "What {partner} in {place} taught us about {topic}",
    "{Topic}: the view from {place} before {deadline}",
    "Listening to {people} in {place} on {topic}",
    "After the talks in {place}: next steps on {topic} with {partner}",
    "{Topic} and {topic2}, side by side in {place}",
    "{Number} {people} in {place} and a plan for {topic}",
    "Notes from {place} on {topic} and {topic2}",
    "How {place} is rethinking {topic} with {partner}",
    "Five questions about {topic} from {people} in {place}",
    "Back from {place}, thinking about {topic} and {topic2}",
    "{Topic} before {deadline}: where {place} stands",
    "From {place} to {place2}: a conversation on {topic}",
)

SAFE_TEXT = re.compile(r"[\w ,.;:?-]+")


def is_plain_text(text: str) -> bool:
    """Whether the renderer would print ``text`` as one paragraph, unchanged.

    Letters, digits, spaces and ordinary punctuation carry no Markdown meaning
    and nothing the typographer rewrites (it curls quotes, joins ``--`` into a
    dash and ``...`` into an ellipsis).
    """
    return bool(SAFE_TEXT.fullmatch(text)) and "--" not in text and ".." not in text


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


SLOTS: dict[str, tuple[str, ...]] = {
    "place": PLACES,
    "topic": TOPICS,
    "partner": PARTNERS,
    "actor": ACTORS,
    "moment": MOMENTS,
    "deadline": DEADLINES,
    "people": PEOPLE,
    "everyday": EVERYDAY,
    "commitment": COMMITMENTS,
    "number": NUMBERS,
    "speaker": SPEAKERS,
}


class _Slots(dict[str, str]):
    """Draws a word for a slot the first time a pattern asks for it.

    ``place2`` and ``topic2`` are a second place or topic, never the first one
    again; a capitalised slot name asks for a capitalised word.
    """

    def __init__(self, rng: random.Random, places: tuple[str, ...]) -> None:
        super().__init__()
        self.rng = rng
        self.places = places

    def __missing__(self, name: str) -> str:
        if name[0].isupper():
            value = _capitalise(self[name.lower()])
        elif name.endswith("2"):
            first = self[name[:-1]]
            value = first
            while value == first:
                value = self._draw(name[:-1])
        else:
            value = self._draw(name)
        self[name] = value
        return value

    def _draw(self, name: str) -> str:
        return self.rng.choice(self.places if name == "place" else SLOTS[name])


def _fill(pattern: str, rng: random.Random, *, places: tuple[str, ...] = PLACES) -> str:
    return pattern.format_map(_Slots(rng, places))


def sentence(rng: random.Random) -> str:
    return _capitalise(_fill(rng.choice(SENTENCES), rng))


def paragraph(rng: random.Random, *, sentences: int = 7, places: tuple[str, ...] = PLACES) -> str:
    """A paragraph of sentences from distinct patterns, about a hundred words by default."""
    patterns = rng.sample(SENTENCES, sentences)
    return " ".join(_capitalise(_fill(pattern, rng, places=places)) for pattern in patterns)


def title(rng: random.Random) -> str:
    return _capitalise(_fill(rng.choice(TITLES), rng))


def lede(rng: random.Random) -> str:
    """The opening paragraph that makes each seeded post its own, always plain text."""
    return paragraph(rng, sentences=7, places=LEDE_PLACES)


def body(rng: random.Random) -> str:
    """Seven paragraphs of Markdown with a heading and one of a list, quote or link.

    With a lede in front, a post has eight paragraphs and about 800 words.
    """
    blocks = [paragraph(rng), paragraph(rng), f"## {_capitalise(_fill(rng.choice(HEADINGS), rng))}"]
    blocks.append(paragraph(rng))
    feature = rng.randrange(3)
    if feature == 0:
        items = {_capitalise(_fill("{topic}, with {partner}", rng)) for _ in range(4)}
        blocks.append(
            "We agreed to concentrate on three things:\n\n"
            + "\n".join(f"- {item}" for item in sorted(items)[:3])
        )
    elif feature == 1:
        speaker = _capitalise(_fill("{speaker}, {place}", rng))
        blocks.append(f"> {paragraph(rng, sentences=2)}\n>\n> — {speaker}")
    else:
        slug = rng.choice(TOPICS).replace(" ", "-")
        blocks.append(
            f"{sentence(rng)} You can read [the full statement on {rng.choice(TOPICS)}]"
            f"(https://www.example.org/statements/{slug}) on the ministry's website."
        )
    blocks.extend([paragraph(rng), paragraph(rng, sentences=6)])
    blocks.append(f"*{sentence(rng)}*")
    return "\n\n".join(blocks)


def tag_names(count: int) -> list[str]:
    """``count`` distinct tag names: topics, places and occasions, then topic-and-place pairs."""
    themes = [_capitalise(topic.removeprefix("the ")) for topic in TOPICS]
    names = [*themes, *PLACES, *OCCASIONS]
    names += [f"{theme} in {place}" for place in PLACES for theme in themes]
    if count > len(names):
        raise ValueError(f"At most {len(names)} distinct tags can be made; {count} were asked.")
    return names[:count]
