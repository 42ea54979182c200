"""The concept lexicon (English surfaces).

*Concepts.* One shared lexicon of concepts: people (first names with a gender, surnames), cities (some two
words), organisations (name + kind, e.g. "Orion Bank"), 40 object nouns grouped in 10 topics (music: guitar,
piano...; each topic has its own verb, e.g. play), generic verbs (buy, sell, give...), adjectives, adverbs,
closed-class words (the, in, for, not, did, because...), question words and a few phrases. English uses real
words (the surfaces below); every other language gets generated ones (`repro.smoke.lexicon`).
"""

from __future__ import annotations

FEMALE = ("Anna", "Clara", "Elena", "Grace", "Ines", "Kira", "Maya", "Nina", "Paula", "Rosa", "Tara", "Zoe")
MALE = ("Boris", "David", "Farid", "Hugo", "Jonas", "Leo", "Omar", "Samir", "Victor", "Yuri", "Ivan", "Marco")
PEOPLE = FEMALE + MALE
SURNAMES = ("Weber", "Lopez", "Novak", "Sato", "Rossi", "Petrov", "Haddad", "Mensah", "Larsen", "Costa",
            "Moreau", "Kowalski")
CITIES = ("Paris", "Berlin", "Cairo", "Delhi", "Lima", "Oslo", "Tokyo", "Seoul", "Dhaka", "Moscow", "Madrid",
          "Rome", "Quito", "Accra", "Hanoi", "Perth", "San Lucas", "Port Louis", "New Haven", "Buenos Aires")
ORGS = ("Orion", "Delta", "Nova", "Apex", "Vega", "Atlas", "Zenith", "Polar")
ORG_KINDS = {"bank": "Bank", "group": "Group", "motors": "Motors", "labs": "Labs"}
TOPICS = {  # topic -> (its verb, its objects)
    "music": ("play", ("guitar", "piano", "drum", "violin")),
    "food": ("cook", ("soup", "bread", "cake", "rice")),
    "sport": ("throw", ("ball", "frisbee", "dart", "javelin")),
    "art": ("paint", ("portrait", "landscape", "mural", "poster")),
    "garden": ("plant", ("rose", "tulip", "tree", "seed")),
    "science": ("test", ("sample", "magnet", "crystal", "battery")),
    "travel": ("pack", ("suitcase", "backpack", "ticket", "passport")),
    "pet": ("feed", ("dog", "cat", "parrot", "rabbit")),
    "fashion": ("wear", ("hat", "scarf", "jacket", "dress")),
    "furniture": ("build", ("chair", "table", "shelf", "bed")),
}
TOPIC_NAMES = tuple(TOPICS)
NOUNS = tuple(n for _, objs in TOPICS.values() for n in objs)
TOPIC_OF = {n: t for t, (_, objs) in TOPICS.items() for n in objs}
PLACE_KINDS = ("shop", "school", "club", "museum", "market")
VERBS = {  # key -> (base, past, present 3sg)
    "buy": ("buy", "bought", "buys"), "sell": ("sell", "sold", "sells"), "find": ("find", "found", "finds"),
    "lose": ("lose", "lost", "loses"), "borrow": ("borrow", "borrowed", "borrows"),
    "repair": ("repair", "repaired", "repairs"), "order": ("order", "ordered", "orders"),
    "rent": ("rent", "rented", "rents"), "clean": ("clean", "cleaned", "cleans"),
    "steal": ("steal", "stole", "steals"), "give": ("give", "gave", "gives"), "send": ("send", "sent", "sends"),
    "show": ("show", "showed", "shows"), "take": ("take", "took", "takes"),
    "play": ("play", "played", "plays"), "cook": ("cook", "cooked", "cooks"), "throw": ("throw", "threw", "throws"),
    "paint": ("paint", "painted", "paints"), "plant": ("plant", "planted", "plants"),
    "test": ("test", "tested", "tests"), "pack": ("pack", "packed", "packs"), "feed": ("feed", "fed", "feeds"),
    "wear": ("wear", "wore", "wears"), "build": ("build", "built", "builds"),
    "go": ("go", "went", "goes"), "like": ("like", "liked", "likes"), "love": ("love", "loved", "loves"),
    "spend": ("spend", "spent", "spends"), "pay": ("pay", "paid", "pays"),
    "receive": ("receive", "received", "receives"), "happen": ("happen", "happened", "happens"),
    "do": ("do", "did", "does"),
}
FACT_VERBS = ("buy", "sell", "find", "lose", "borrow", "repair", "order", "rent", "clean", "steal", "give",
              "send", "show", "take")
DITRANSITIVE = ("give", "send", "show", "sell")
ADJS = ("red", "blue", "green", "old", "new", "big", "small", "cheap", "heavy", "bright", "famous", "quiet")
YEARS = tuple(range(1990, 2021))
PRICES = tuple(range(5, 100, 5))
ADVS = ("yesterday", "today", "again", "quickly", "carefully", "finally")
OTHER_NOUNS = ("city", "year", "company", "person", "thing", "price") + PLACE_KINDS
FUNCTION_WORDS = {  # closed-class words and phrases: key -> English surface
    "the": "the", "a": "a", "which": "which", "in": "in", "for": "for", "at": "at", "to": "to", "on": "on",
    "from": "from", "did": "did", "would": "would", "will": "will", "may": "may", "not": "not", "and": "and",
    "because": "because", "she": "she", "he": "he", "you": "you", "who": "who", "whom": "whom", "what": "what",
    "where": "where", "when": "when", "why": "why", "then": "then", "there": "there", "next": "next",
    "really": "really",
    "oh": "oh", "wow": "wow", "etc": "etc", "$": "$",
    "how_much": "how much", "none": "none of the above choices",
}
SYMBOLS = {"$"}  # written the same in every language
