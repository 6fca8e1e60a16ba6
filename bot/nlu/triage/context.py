"""The context that turns a red-flag word into no alarm, read per sentence.

A fall "as a kid", a fever "last month, fine now", a question about a risk ("can you faint
in the chamber?"), a hypothetical ("what if I feel dizzy"), a long-standing checklist condition
("my toes go white in the cold, I have Raynaud's"), tired legs after the gym and figures of
speech ("this pain is killing me") are not emergencies. Anything said to be happening now
overrides all of these: when in doubt, the message keeps its alarm.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.shared.text import clause_range, is_question, opens_as_question, split_at
from bot.shared.text import normalise_quotes as normalise

NOW = re.compile(
    r"\b(?:right now|just now|now i|now he|now she|now my|now his|now her|and now|but now|"
    r"today|tonight|this (?:morning|afternoon|evening)|suddenly|"
    r"all of a sudden|out of nowhere|since (?:yesterday|last night|this|the session|i got out|"
    r"i came out|then)|an? (?:hour|few hours|couple of hours) ago|\d+ (?:minutes?|mins?|hours?|"
    r"hrs?) ago|minutes ago|hours ago|yesterday|last night|getting worse|worse and worse|"
    r"won'?t stop|can'?t stop|currently|at the moment|please help|help me|call an ambulance|"
    r"asap|right after|straight after|happening now|going on now|still happening|still going on|"
    r"just (?:fell|had|collapsed|passed out|fainted|happened|"
    r"came out|got out|now|started|noticed))\b",
    re.IGNORECASE,
)
PAST = re.compile(
    r"\b(?:years? ago|(?:winters?|summers?) ago|\d+\s*(?:years?|yrs?|months?)\s+ago|"
    r"an old (?:car |road |bike |sports |work )?(?:accident|injury|crash|fall)|"
    r"(?:a|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|several|many|few|couple of) (?:years?|months?) ago|last (?:year|month|summer|"
    r"winter|spring|autumn|fall)|as an? (?:kid|child|teen|teenager|baby|youngster)|when i was "
    r"(?:a |an |young|little|younger|small|\d+)|in (?:19|20)\d\d|back in|long time ago|long ago|"
    r"used to|in the past|years back|decades? ago|once,? (?:years|a long)|"
    r"once\b(?!\s+(?:i|we|he|she|you|they|it)\b)|years later|odd years|when i was at (?:school|uni|"
    r"university|college)|in my (?:school|uni|college|student) days|back at (?:school|uni|college)|"
    r"as a student|in my (?:teens|twenties|twenties|thirties|youth)|ages ago|"
    # an injury already treated: "a plate and screws from a skiing accident", "they scanned me"
    r"(?:plates?|screws?|pins?|rods?|metalwork|scars?)\b[^.?!]{0,40}\bfrom\s+(?:a|an|the|my|that)|"
    r"they\s+(?:scanned|x-?rayed|checked|examined|operated)|nobody told me the results?)\b",
    re.IGNORECASE,
)
RESOLVED = re.compile(
    r"\b(?:fine now|ok now|okay now|all good now|better now|recovered|all clear|all fine|"
    r"back to normal|went back to normal|faded|went away|wore off|worn off|settled down|"
    r"gone by|was gone|were gone|cleared up|disappeared|healed long ago|long healed|"
    r"(?:it|that|which|has|had)\s+passed(?!\s+out)|"
    r"fully healed|healed|gone now|no problems since|never had (?:a|any) problem since|"
    r"been fine since|fine since|all good since|sorted now|resolved|cleared (?:it|them|that) up|"
    r"no (?:issues|trouble) since|warmed (?:back )?up (?:quickly|after|with|once|soon|at home)|"
    r"cleared (?:up )?(?:in|within) \d+ (?:min|mins|minutes|hours?)|stopped soon after|"
    r"warmed (?:back )?up (?:fine|ok|okay|again|normally)|then (?:fine|ok|okay|normal))\b",
    re.IGNORECASE,
)
HYPOTHETICAL = re.compile(
    r"\b(?:what if|what happens if|what do i do if|what should i do if|in case|if (?:i|you|someone|"
    r"somebody|people|he|she|they|my)|would i|could i|might i|is there a risk|risk of|chance of|"
    r"possible to|is it possible|can you get|can people|can it|can cryo\w*|does it cause|"
    r"do people|does anyone)\b",
    re.IGNORECASE,
)
# "can cryo cause that?" after a report is about it; "what if this gives me ..." is not.
REFERS_BACK = re.compile(
    r"\b(?:cause|causes|caused|causing|do|did|be|mean)\s+(?:that|this|it)\s*\??\s*$|"
    r"\blike\s+(?:this|that)\s*\??\s*$",
    re.IGNORECASE,
)
# Someone describing what is happening to them or to a person with them.
PERSON = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i'd|me|my|mine|myself|we|our|us|he|she|he's|she's|his|her|him|"
    r"they're|their|them)\b",
    re.IGNORECASE,
)
EXERTION = re.compile(
    r"\b(?:gym|leg day|workout|work out|worked out|training|trained|squats?|deadlifts?|lifting "
    r"weights|weights session|run|running|ran|jog|jogging|marathon|hike|hiking|hiked|cycling|"
    r"cycled|bike ride|football|match|game|exercise|exercising|spin class|spin|crossfit|pilates|"
    r"yoga|gardening|dancing|climbing|leg press|lunges|bootcamp|boot camp|cardio|treadmill|"
    r"stairmaster|stair climber|5k|10k|half marathon|triathlon|tennis|netball|basketball|"
    r"skiing|surfing|kickboxing|boxing|martial arts|long walk|walking|hill walk|wall sit|"
    r"personal trainer|pt session|hiit|zumba|rowing|swim|swimming|sprint|sprints|plyo\w*|"
    r"standing all day|on my feet all day|long shift|after work|all day at work|shovelling|"
    r"shoveling|doms|moving house|decorating|diy|5 a side|five a side|5-a-side|rugby|hockey|"
    r"cricket|squash|padel|golf|painting|bodypump|body pump|circuits|fitness class|exercise class|"
    r"gym class|"
    r"sitting at a desk|desk all day|sitting all day)\b",
    re.IGNORECASE,
)
FIGURE_OF_SPEECH = re.compile(
    r"\b(?:killing me|killin me|murdering me|kills me|(?:is|it'?s|been) killing (?:him|her|them)|"
    r"kills (?:him|her)|dying to|to die for|die for|dead tired|"
    r"dead on my feet|breathtaking|took my breath away|scared to death|bored to death|"
    r"nearly died laughing|drop dead|kill for|would kill|i'?d kill|death of me|i'?ll die|"
    r"killing my (?:back|spine|neck|knees?|legs|feet|shoulders)|"
    r"i'?d die|rather die|on fire|murder me|early grave|last legs|try (?:literally )?anything|"
    r"(?:is|are) screaming|lol|lmao|haha\w*|jk|just joking|kidding|"
    r"dead from (?:sitting|standing|the gym|walking|work|the desk)|die of embarrassment|"
    r"died of embarrassment)\b",
    re.IGNORECASE,
)
EVENTS = {"trauma", "collapse_in_session"}
# Chest pain that comes and goes, told as a pattern ("I get chest pains at night sometimes",
# "I carry a GTN spray"): a doctor today, not the emergency number, unless it is on now.
RECURRING = re.compile(
    r"\b(?:(?:i|he|she|they)\s+(?:get|gets|have|has|had)\b[^.?!]{0,40}\b(?:sometimes|at times|"
    r"now and then|on and off|from time to time|every so often|often|occasionally|at night|"
    r"with (?:hardly any|little|any|the slightest) (?:effort|exertion)|when i (?:climb|walk|rush|"
    r"exercise|exert))|gtn|nitro(?:glycerin)? spray|(?:un)?stable angina|comes? and goes?)\b",
    re.IGNORECASE,
)
RECURRING_CATEGORIES = {"chest_pain"}


def recurring(category: str, sentence: str) -> bool:
    """A pattern of chest pain, not an attack now: urgent care instead of an emergency."""
    text = normalise(sentence)
    return (
        category in RECURRING_CATEGORIES
        and bool(RECURRING.search(text))
        and not happening_now(text)
    )


# Care for a history of cancer is about new pain now: the cancer itself is always in the past.
HISTORY_IS_THE_POINT = {"cancer_history"}
# A long-standing condition, described calmly (Raynaud's in the cold, asthma on an inhaler).
LONG_STANDING = re.compile(
    r"\b(?:always|for years|since i was|diagnosed|controlled|under control|well managed|"
    r"managed with|on (?:tablets|pills|medication|meds)|inhaler|tablets for|pills for|"
    r"history of|in the cold|when it'?s cold|when i'?m cold|cold weather|in winter|every winter|"
    r"raynaud'?s?)\b",
    re.IGNORECASE,
)
OTHER_PERSON = re.compile(
    r"\b(?:my (?:wife|husband|partner|son|daughter|kid|kids|child|children|boy|girl|mum|mom|"
    r"mother|mam|ma|dad|father|pa|brother|sister|friend|mate|buddy|grandma|grandmother|"
    r"grandpa|grandfather|nan|nana|gran|granny|grandad|granddad|uncle|aunt|auntie|cousin|"
    r"boyfriend|girlfriend|fiance|fiancee|colleague|coworker|neighbour|neighbor|flatmate|"
    r"roommate|client|patient|teen|teenager|baby|niece|nephew|in-laws?|father-in-law|"
    r"mother-in-law|spouse|other half|hubby|missus)|he|she|he's|she's|hes|shes|him|"
    r"someone|somebody|a (?:man|woman|client|customer|person|lady|guy))\b",
    re.IGNORECASE,
)


SUDDEN_LEGS = re.compile(
    r"\b(?:suddenly|out of nowhere|went weak|getting worse|getting weaker|not from the gym|"
    r"can'?t (?:feel|move|lift)|won'?t (?:hold|move)|gave way|giving way|"
    r"paraly\w*)\b",
    re.IGNORECASE,
)


def happening_now(sentence: str) -> bool:
    return bool(NOW.search(normalise(sentence)))


OTHER_THING = re.compile(
    r"\b(?:while|whereas|whilst|the other|my other|(?:the|my|his|her) (?:left|right))\b", re.I
)
# A mild effect said as mild: "a bit itchy", never "a blackened bit of skin".
MILD = re.compile(
    r"\b(?:a bit|a little|bit|slightly|slight|mild|mildly|a tad|kinda|kind of|sort of|a touch)\s+"
    r"(?:itchy|itching|red|redder|tingly|tingling|numb|sore|achy|stiff|cold|dry|pink|blotchy|"
    r"swollen|puffy|tender|raw|flushed|shivery)\b",
    re.IGNORECASE,
)
# Someone who was once suicidal and says they are well now: the past, not a crisis.
RECOVERED = re.compile(
    r"\b(?:in a (?:good|better|much better) place|got (?:the )?help|had (?:therapy|counselling|"
    r"treatment)|doing (?:well|fine|great|ok|okay)|(?:much|a lot) better now|recovered|fine now)\b",
    re.IGNORECASE,
)
# Where a clause that may report something ends (reports_in).
_REPORT_CLAUSE_BREAK = re.compile(r"[,;:]|\s(?:and|but|so|because|then|while)\s", re.IGNORECASE)


def reports_in(text: str) -> bool:
    """A clause of the text says what is happening to someone, not asking or supposing:
    "my chest is tight, can cryo help?" reports; "what if I can't breathe in there?" does not."""
    for piece in split_at(text, _REPORT_CLAUSE_BREAK):
        clause = piece.text
        if is_question(clause, strict=True):
            continue
        if HYPOTHETICAL.search(clause):
            continue
        if PERSON.search(clause) or happening_now(clause):
            return True
    return False


def suppression(
    clause: str,
    category: str,
    names_condition: bool = False,
    layer: str = "rules",
    level: str = "emergency",
    reported_elsewhere: bool = False,
    sentence: Optional[str] = None,
    message: Optional[str] = None,
) -> Optional[str]:
    """Why a red flag in this clause (its sentence around it) is not an alarm, or None.

    Time is read in the clause ("I fell as a kid, and now my legs won't hold me"); the rest in
    the whole sentence. `names_condition`: the sentence talks of a checklist condition, had or
    denied: that is the checklist's business, not an alarm (a rule's own words are not
    overruled by it). The learned layers (semantic, classifier) learned the rest of the context
    from two-sided examples, so only time, questions, figures of speech, the checklist and
    exercise set their votes aside. `reported_elsewhere`: another sentence reports what is
    happening now, so a question here ("is that normal?") is about it. `message`: the whole
    message, read for thoughts of suicide that are over ("..., I'm in a good place now").
    """
    text, whole = normalise(clause), normalise(sentence or clause)
    message = normalise(message or whole)
    acute = happening_now(RESOLVED.sub(" ", text))  # "fine now" is not something happening now
    learned = layer != "rules"
    if category == "suicide":
        recovered = RECOVERED.search(message) and not happening_now(RECOVERED.sub(" ", message))
        if PAST.search(text) and recovered:
            return "past"
        if learned and FIGURE_OF_SPEECH.search(whole):
            return "figure of speech"
        return None  # otherwise thoughts of suicide always get the crisis line
    # "..., but it faded" speaks of what came before it; "the tingling stopped soon after, but
    # now I can't pee" does not reach the red flag after it.
    resolved = RESOLVED.search(whole, max(whole.find(text), 0))
    if resolved and OTHER_THING.search(
        whole, max(whole.find(text), 0) + len(text), resolved.start()
    ):
        resolved = None  # "..., while the left foot warmed up fine" resolves the other foot
    if resolved and not (acute and not learned):
        return "resolved"
    history_matters = category in HISTORY_IS_THE_POINT
    # An event (a fall, a faint) told with its time anywhere in the sentence is the past; a
    # symptom is not ("I can't feel my legs, I had a crash years ago" keeps its alarm).
    past_in_sentence = (
        category in EVENTS and PAST.search(whole) and not happening_now(RESOLVED.sub(" ", whole))
    )
    if (PAST.search(text) and not acute or past_in_sentence) and not history_matters:
        return "past"
    about_the_report = reported_elsewhere and REFERS_BACK.search(whole)  # "can cryo cause that?"
    if HYPOTHETICAL.search(whole) and not acute and not about_the_report and not reports_in(text):
        return "hypothetical"
    general = opens_as_question(whole, strict=True)
    if general and not PERSON.search(whole) and not reported_elsewhere and not acute:
        return "general question"
    # A rule's phrase gives way only to a figure of speech in its own clause.
    if FIGURE_OF_SPEECH.search(whole if learned else text) and (learned or not acute):
        return "figure of speech"
    if learned and level == "urgent" and MILD.search(whole):
        return "mild"
    if category == "leg_weakness" and EXERTION.search(whole) and not SUDDEN_LEGS.search(whole):
        return "after exercise"  # tired legs after leg day, even today, are not an emergency
    if learned and names_condition and not history_matters:
        return "checklist condition"  # the checklist asks about it; not an alarm of itself
    # Raynaud's in the cold looks like a cold pale limb: the rule's phrase gives way to it.
    calm_for_rules = category in ("cold_limb", "cold_burn", "cold_reaction")
    if LONG_STANDING.search(whole) and not acute and calm_for_rules and not learned:
        return "long-standing condition"
    return None


_DENIAL = re.compile(
    r"\b(?:haven'?t|havent|hasn'?t|hasnt|never|no|not|without|don'?t|dont|doesn'?t|didn'?t|"
    r"free of)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def denied_before(sentence: str, start: int) -> bool:
    """A rule's phrase said so as not to have it: "haven't had a seizure in years"."""
    return bool(_DENIAL.search(normalise(sentence[max(0, start - 40) : start])))


# Where the clause around a rule's phrase ends (clause_around).
_RULE_CLAUSE_BREAK = re.compile(
    r"[,:()]|\s(?:and|but|so|because|then|while|although|though)\s", re.IGNORECASE
)


def clause_around(sentence: str, start: int, end: int) -> str:
    """The clause of a sentence holding the span [start, end) (for a rule's match)."""
    clause = clause_range(sentence, start, end, _RULE_CLAUSE_BREAK)
    return sentence[clause.start : clause.stop]


# "happening now", "happened twice today": a report even without a person named.
_EVENT = re.compile(
    r"\bhappening\s+(?:right\s+)?now\b|\bhappened\s+(?:twice|again|three\s+times)\s+today\b|"
    r"^\W*(?:it\s+|this\s+|that\s+)?(?:started|began|came\s+on)\s+(?:\d+|a\s+few|an?|straight|"
    r"right|just)\b",
    re.IGNORECASE,
)


def reports_now(text: str) -> bool:
    """Someone says what is happening to them (or to a person with them) now."""
    text = normalise(text)
    someone = PERSON.search(text) or _EVENT.search(text)
    return bool(someone and happening_now(text) and not opens_as_question(text, strict=True))


def about_someone_else(text: str) -> bool:
    """The message describes another person (the answer is then worded for the helper)."""
    return bool(OTHER_PERSON.search(normalise(text)))
