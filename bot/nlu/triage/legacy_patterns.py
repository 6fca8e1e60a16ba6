"""The deterministic layer of the safety check: phrases that are unmistakable red flags.

Patterns are grouped by category (bot/nlu/red_flags.yml gives each the care it needs). Patterns are
specific on purpose (a symptom with a body part, a report rather than a word): the semantic
layer and the classifier catch the wording these miss, and bot/nlu/red_flag_context.py
decides whether a match is said of now or of the past, as a fact or as a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Pattern

SUICIDE = "suicide"
MEDICAL = "medical"

_BODY = r"(?:my|his|her|their|the|both|one|either)"
_LEGS = r"(?:legs?|feet|foot)"

PATTERNS: Dict[str, List[str]] = {
    "suicide": [
        r"\bwant\s+(?:it\s+all|everything)\s+to\s+(?:stop|end)\b",
        r"\b(?:tablets|pills|meds|painkillers)\s+(?:saved|stored|stockpiled)\s+up\b|\bsaved\s+up\s+"
        r"(?:my\s+|enough\s+)?(?:pills|tablets|meds)\b|\bstockpil\w+\s+(?:pills|tablets|meds)\b",
        r"\b(?:who\s+gets|giving\s+away|gave\s+away|given\s+away|sorting\s+out\s+who\s+gets)\s+"
        r"(?:my|his|her|all\s+(?:my|his|her))\s+(?:stuff|things|belongings)\b",
        r"\b(?:giving|gave|given)\s+(?:my|his|her|all\s+(?:my|his|her))\s+(?:stuff|things|belongings)\s+away\b",
        r"\bsaid\s+(?:goodbye|his\s+goodbyes|her\s+goodbyes|goodbye)\s+to\s+(?:us|everyone|me|the\s+family)\b",
        r"\b(?:go\s+to\s+)?sleep\s+and\s+(?:not|never)\s+wake\s+up\b",
        r"\b(?:jump(?:ing)?|throw(?:ing)?\s+my\s*self)\s+(?:off|from|in\s+front\s+of)\s+(?:a|the|my)\s+"
        r"(?:bridge|building|roof|cliff|train|tower|balcony|car\s+park)\b",
        r"\b(?:thinking\s+(?:about|of)|thought\s+(?:about|of)|wants?\s+to|wanna|going\s+to|gonna|"
        r"plan(?:ning)?\s+to|tempted\s+to|urge\s+to)\s+(?:just\s+)?(?:(?:driv\w*|steer\w*)\s+"
        r"(?:(?:my|the|his|her)\s+car\s+)?(?:off|into)\s+(?:a|the)\s+(?:bridge|cliff|wall|tree|"
        r"river)|(?:driv\w*|steer\w*|step\w*|walk\w*)\s+in\s+front\s+of\s+(?:a|the)\s+(?:train|"
        r"lorry|truck|bus|traffic))\b",
        r"\bwon'?t\s+be\s+(?:around|here)\s+(?:for\s+)?(?:much|very)\s+(?:longer|long)\b"
        r"(?![^.?!]{0,40}\b(?:shop|clinic|office|store|shuts?|closes?|than\s+an\s+hour)\b)",
        r"\b(?:my\s+)?(?:last|final)\s+(?:message|words|goodbye)\s+(?:to|for)\s+(?:anyone|anybody|"
        r"everyone|everybody|you\s+all|the\s+world)\b",
        r"\b(?:thinking\s+(?:about|of)|thought\s+(?:about|of)|wants?\s+to|wanna|going\s+to|gonna|"
        r"plan(?:ning)?\s+to|tempted\s+to|urge\s+to|keep\s+thinking\s+about)\s+(?:just\s+)?(?:walk|"
        r"wad|swim)\w*\s+into\s+the\s+(?:sea|river|lake|ocean|water)\b",
        r"\b(?:walk|wade|swim)\w*\s+into\s+the\s+(?:sea|river|lake|ocean|water)\b[^.?!]{0,30}\b(?:not|"
        r"never)\s+(?:come|coming)\s+(?:back|out)\b",
        r"\bhang(?:ing)?\s+my\s*self\b",
        r"\b(?:wrote|written|writing|left)\s+(?:a\s+)?(?:note|letters?)\s+(?:for|to)\s+(?:my|everyone|"
        r"the\s+family)",
        r"\bsuicid",
        r"\bkill(?:ing)?\s+(?:my|him|her|them)\s*sel(?:f|ves)\b",
        r"\bend(?:ing)?\s+(?:it\s+all|my\s+life|his\s+life|her\s+life|things|it)\b"
        r"(?!\s+(?:session|treatment|early|there|here))",
        r"\b(?:want|wanna|going|planning|plan)\s+to\s+die\b",
        r"\bdon'?t\s+want\s+to\s+(?:live|be\s+alive|be\s+here|wake\s+up|go\s+on)\b",
        r"\b(?:never|not)\s+(?:to\s+)?wake\s+up\s+again\b",
        r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|go(?:ing)?\s+on|being\s+alive)\b",
        r"\bself[-\s]?harm",
        r"\b(?:hurt|harm|cut)(?:ting|ing)?\s+my\s*self\b",
        r"\bbetter\s+off\s+(?:dead|without\s+me|if\s+i\s+was(?:n'?t|\s+not)\s+here)\b",
        r"\btake\s+(?:my|his|her|their)\s+(?:own\s+)?life\b",
        r"\boverdos",
        r"\btake\s+(?:all|every\s+one\s+of)\s+(?:my|the|his|her)\s+(?:pills|tablets|meds)\b",
        r"\bcan'?t\s+(?:go\s+on|keep\s+going|do\s+this\s+anymore|take\s+it\s+anymore)\b",
        r"\bhow\s+much\s+longer\s+i\s+can\s+(?:keep\s+going|go\s+on|cope|take\s+(?:it|this))\b",
        r"\b(?:thought|thinking)\s+about\s+how\s+(?:i'?d|i\s+would|i\s+could|to)\s+(?:do\s+it|end)",
    ],
    "chest_pain": [
        r"\bchest\s+(?:pain|pains|hurts?|hurting|is\s+(?:\w+\s+)?(?:tight|hurting|killing)|feels\s+"
        r"(?:\w+\s+)?(?:tight|heavy|crushed)|pressure|tightness)",
        r"\b(?:pressure|tightness|squeezing|crushing\s+feeling)\s+in\s+(?:my|his|her|the)\s+chest\b",
        r"\b(?:clutching|holding|grabbing)\s+(?:my|his|her|their)\s+chest\b",
        r"\bpain\s+in\s+(?:(?:my|his|her|the)\s+)?chest\b",
        r"\bchest\s+(?:has\s+been|been|keeps|has\s+gone|went|felt|still\s+feels)\s+"
        r"(?!(?:a\s+)?(?:bit|little|slightly)\b)(?:\w+\s+){0,2}(?:tight|heavy|hurting|painful|"
        r"crushed|squeezed)\b",
        r"\b(?:pain|pressure|tightness|squeezing)\s+(?:\w+\s+){0,2}(?:behind|in|on)\s+(?:my|his|her|the)\s+"
        r"(?:breastbone|sternum)\b",
        r"\b(?:crushing|squeezing|tight)\s+(?:pain\s+in\s+)?(?:my\s+)?chest\b",
        r"\b(?:i\s+think\s+)?(?:i'?m|i\s+am|he'?s|she'?s|is)\s+having\s+a\s+(?:heart\s+attack|stroke)",
        r"\b(?:hav\w*ng|havin|help)\b[^.?!]{0,25}\bheart\s+attack\b|\bheart\s+attack\b\s*(?:right\s+"
        r"now|now\b|i\s+think|help)",
    ],
    "breathing": [
        r"\b(?:asthma|copd)\s+attack\b",
        r"\b(?:can'?t|cannot|can\s+not|couldn'?t|unable\s+to|struggling\s+to|hard\s+to|trouble|"
        r"difficulty|problems?)\s+(?:breath(?:e|ing)?|catch\s+(?:my|his|her)\s+breath|get\s+"
        r"(?:any\s+)?air)\b",
        r"\bshort(?:ness)?\s+of\s+breath\b",
        r"\bgasping\b",
        r"\b(?:isn'?t|not|stopped)\s+breathing\b",
        r"\blips\s+(?:are\s+|have\s+|went\s+)?(?:turning\s+|turned\s+|gone\s+|going\s+|look\s+)?blue\b",
        r"\bwheez\w*\s+(?:really\s+|very\s+|so\s+)?bad(?:ly)?\b",
        r"\binhaler\s+(?:isn'?t|is\s+not|not|doesn'?t|does\s+not|won'?t)\s+(?:helping|working|help|work)\b",
    ],
    "cauda_equina": [
        r"\b(?:lost|losing|loss\s+of|no|can'?t|cannot)\s+(?:control\s+(?:of|over)\s+)?"
        r"(?:my\s+|his\s+|her\s+)?(?:bladder|bowels?)\b",
        r"\b(?:bladder|bowel)\s+(?:control|incontinence)\b",
        r"\b(?:can'?t|cannot|unable\s+to)\s+(?:hold|control)\s+(?:when\s+i\s+|my\s+)?"
        r"(?:pee|urine|wee|poo|poop|bowels?|bladder)\b",
        r"\b(?:can'?t|cannot|unable\s+to|haven'?t\s+been\s+able\s+to)\s+(?:pee|urinate|wee|pass\s+"
        r"urine|pass\s+water)\b",
        r"\b(?:wet|peed|pooped|soiled)\s+(?:my\s*self|myself|himself|herself|my\s+pants|the\s+bed)\b",
        r"\bincontinen",
        r"\bnumb(?:ness)?\b[^.?!]{0,40}\b(?:groin|inner\s+thighs?|saddle|genitals?|private\s+parts|"
        r"crotch|bum|buttocks|bottom|between\s+(?:my\s+|his\s+|her\s+|the\s+)?legs|down\s+there|"
        r"down\s+below)\b",
        r"\b(?:groin|inner\s+thighs?|saddle|genitals?|crotch|private\s+parts|down\s+there|"
        r"down\s+below|between\s+(?:my\s+|his\s+|her\s+|the\s+)?legs)\b[^.?!]{0,30}\bnumb",
        r"\bsaddle\s+(?:numbness|anaesthesia|anesthesia|area)\b",
        r"\b(?:bum|buttocks|bottom|private\s+(?:area|parts))\b[^.?!]{0,30}\b(?:numb|no\s+feeling)",
        r"\b(?:no|lost|losing|lack\s+of)\s+(?:any\s+)?(?:feeling|sensation)\b[^.?!]{0,30}\b(?:bum|"
        r"buttocks|bottom|groin|genitals?|private|privates|crotch|inner\s+thighs?|between\s+"
        r"(?:my|his|her|the)\s+legs|down\s+(?:there|below))",
        r"\b(?:can'?t|cannot)\s+feel\s+(?:my|his|her|me)\s+(?:own\s+)?(?:bum|bottom|buttocks|groin|genitals|"
        r"private\s+parts|privates|crotch|backside|arse|butt|behind)\b",
        r"\b(?:hasn'?t|haven'?t|has\s+not|have\s+not)\s+(?:peed|weed|urinated|been\s+able\s+to\s+"
        r"(?:pee|wee|urinate))\b",
        r"\bcauda\s+equina\b",
        r"\bbladder\s+(?:has\s+|just\s+|suddenly\s+)*(?:stopped\s+working|stopped\b(?!\s+(?:bothering|"
        r"hurting|leaking|aching|playing|being|waking))|won'?t\s+empty|isn'?t\s+emptying|not\s+emptying)",
        r"\bstraining\b[^.?!]{0,20}\bnothing\s+(?:comes|came)\b|\b(?:trying|try)\s+to\s+(?:pee|wee|"
        r"urinate)\b[^.?!]{0,30}\bnothing\s+(?:comes|came|happens)\b|\btry\w*\s+(?:to\s+go|for\s+an?\s+"
        r"\w+)\b[^.?!]{0,20}\bnothing\s+(?:comes|came)\s+out\b",
    ],
    "leg_weakness": [
        r"\b(?:foot|leg)\s+(?:won\'?t|will\s+not|doesn\'?t|can\'?t)\s+(?:lift|move|work)\b",
        r"\b(?:getting|got|gets)\s+weaker\s+(?:and\s+weaker|by\s+the\s+(?:hour|minute))\b",
        r"\blost\s+(?:the\s+|all\s+)?(?:strength|power|feeling)\s+in\s+(?:my|his|her)\s+(?:right\s+|left\s+)?"
        r"(?:legs?|foot|feet)\b",
        r"\b(?:legs?)\s+(?:just\s+)?(?:went|gone|going)\s+weak\b|\bdragging\s+(?:my|his|her|the|it)\b",
        rf"\b{_LEGS}\s+(?:won'?t|will\s+not|can'?t|don'?t)\s+(?:hold|support|carry)\s+"
        r"(?:me|him|her|them)\b",
        rf"\b(?:can'?t|cannot|unable\s+to)\s+(?:feel|move|lift)\s+{_BODY}?\s*{_LEGS}\b",
        rf"\b{_LEGS}\s+(?:(?:has|have|is|are|just|keeps?|keep)\s+)*(?:gave|giving|give|gone|went|"
        r"collaps\w*|buckl\w*)\s*(?:out|way|weak|numb|dead)\b",
        rf"\b(?:sudden(?:ly)?|new)\s+(?:\w+\s+){{0,2}}(?:weak(?:ness)?|numb(?:ness)?|paraly\w*)\b"
        rf"[^.?!]{{0,30}}\b{_LEGS}\b",
        rf"\b{_LEGS}\s+(?:are|is|went|have\s+gone|feel|feels)\s+(?:suddenly\s+)?(?:numb|weak|"
        r"paralys\w*|paralyz\w*)\b",
        r"\bfoot\s*drop\b",
        r"\b(?:legs?|foot)\s+(?:has\s+been\s+|have\s+been\s+|is\s+|are\s+|been\s+|keeps\s+)?"
        r"getting\s+weaker\b|\b(?:legs?|foot|foot's|leg's)\s+(?:(?:is|are|feels?|has\s+been|have\s+been|"
        r"been|going|gone)\s+){0,2}weak\w*\s+(?:n|and|&)\s+(?:getting|is\s+getting)\s+worse\b",
        r"\b(?:can'?t|cannot|unable\s+to)\s+(?:lift|raise|pick\s+up)\s+(?:the\s+front\s+of\s+)?"
        r"(?:my|his|her)\s+(?:foot|toes)\b",
        r"\bfoot\s+(?:is\s+|keeps\s+)?(?:dragging|flopping|slapping|drags|flops|slaps)\b",
        r"\btripping\s+over\s+(?:my|his|her)\s+(?:own\s+)?(?:foot|feet|toes)\b",
        r"\btoes\s+(?:keep\s+|are\s+|keeps\s+)?(?:catching|dragging|catch|drag)\b",
    ],
    "trauma": [
        r"\b(?:hit|struck|whacked|smashed|kicked)\s+(?:hard\s+)?(?:across|on|in)\s+(?:the|my|his|her)\s+"
        r"(?:back|spine|head|neck)\b|\bgot\s+hit\s+by\b",
        r"\b(?:came|come|coming|thrown|knocked|fell)\s+(?:off|from)\s+(?:my|his|her|the|a)\s+(?:bike|motorbike|"
        r"motorcycle|horse|scooter|skateboard|e-?scooter|quad)\b",
        r"\bheard\s+(?:a|something)\s+(?:crack|snap|pop)\b|\b(?:felt|heard)\s+(?:it|something)\s+snap\b",
        r"\b(?:tackled|tackle|hit\s+hard|crashed\s+into|landed\s+(?:hard\s+)?on\s+(?:my|his|her)\s+(?:back|"
        r"spine|tailbone|bum))\b",
        r"\b(?:fell|fallen|falling|slipped|tumbled)\s+(?:off|from|down)\b",
        r"\b(?:had|have\s+had|was\s+in|been\s+in|just\s+had)\s+an?\s+(?:bad\s+|serious\s+|major\s+)?"
        r"(?:car|motorbike|motorcycle|bike|bicycle|road|traffic|skiing|work)?\s*(?:accident|crash|"
        r"collision|wreck)\b",
        r"\b(?:hit|run\s+over|knocked\s+down|knocked\s+over)\s+by\s+an?\s+(?:car|truck|bus|van|"
        r"vehicle|bike|cyclist)\b",
        r"\b(?:bad|serious|big|hard|nasty)\s+fall\b",
        r"\b(?:slipped|fell|tripped|went\s+flying)\s+(?:on|over|down)\s+(?:the\s+|some\s+)?(?:ice|"
        r"stairs|steps?|wet\s+floor|pavement|kerb|curb)\b(?![^.?!]{0,60}\b(?:just\s+bruised|no\s+harm|"
        r"nothing\s+broken|not\s+hurt|i'?m\s+(?:fine|ok|okay))\b)",
        r"\b(?:fell|went|landed)\s+(?:backwards?|flat)\s+(?:down|into|onto|on)\s+(?:the\s+|a\s+|my\s+|"
        r"some\s+)?(?:step|steps|stairs|floor|ground|concrete|ice|pavement|kerb|curb|edge|tiles|bath|"
        r"back)\b(?![^.?!]{0,20}\blaugh)",
        r"\b(?:car|motorbike|motorcycle|bike|bicycle|road|traffic)\s+(?:accident|crash|wreck|"
        r"collision)\b",
        r"\b(?:rear[-\s]?ended|t[-\s]?boned|run\s+over)\b",
    ],
    "aorta": [
        r"\b(?:aaa|dilated\s+aorta|aortic\s+(?:aneurysm|dissection)|enlarged\s+aorta)\b",
        r"\btriple[-\s]?a\b[^.?!]{0,100}\b(?:sudden|agony|agonising|agonizing|severe|tearing|ripping|"
        r"worst|faint|pale|collapsed?)\b",
        r"\b(?:sudden|tearing|ripping|worst)\b[^.?!]{0,160}\baneurysm\b",
        r"\baneurysm\b[^.?!]{0,100}\b(?:sudden|pain|hurts?|agony|faint|pale|collapsed?)\b",
        r"\b(?:tearing|ripping)\s+(?:\w+\s+){0,2}(?:pain|feeling|sensation)\b",
        r"\bsudden\b[^.?!]{0,40}\bpain\b[^.?!]{0,20}\b(?:belly|stomach|tummy|abdomen)\b[^.?!]{0,25}"
        r"\b(?:and|into|through\s+to|to)\s+(?:(?:my|his|her|the)\s+)?back\b",
        r"\b(?:pulsing|pulsating|throbbing)\s+(?:lump\s+|mass\s+|feeling\s+)?in\s+(?:my|his|her|the)"
        r"\s+(?:belly|stomach|tummy|abdomen)\b",
    ],
    "stroke": [
        r"\b(?:speaking|talking)\s+(?:funny|strange|weird|oddly|slurred|gibberish)\b",
        r"\b(?:smile|face|mouth)\s+(?:is\s+|looks\s+|has\s+gone\s+|went\s+)?(?:crooked|lopsided|droopy)\b|"
        r"\bcrooked\s+(?:smile|face|mouth)\b",
        r"\bface\s+(?:has\s+|is\s+|feels\s+)?(?:gone\s+|went\s+)?numb\b",
        r"\bnumb\s+(?:down|on)\s+one\s+side\b|\bone\s+side\s+of\s+(?:my|his|her|their)\s+(?:face|body)\b",
        r"\b(?:speech|words?|talking)\s+(?:sounds?|is|are|seems?|went|gone)\s+(?:off|strange|weird|"
        r"funny|wrong|garbled|jumbled|slow|slurred)\b",
        r"\bface\s+(?:is\s+|has\s+been\s+|has\s+|went\s+|looks?\s+|keeps\s+)?(?:drooping|droopy|dropped|"
        r"lopsided|fallen)\b",
        r"\b(?:drooping|droopy|lopsided)\s+(?:face|mouth|smile)\b",
        r"\b(?:speech\s+is\s+|is\s+|started\s+)?slurr(?:ed|ing)\b",
        r"\b(?:can'?t|cannot)\s+(?:lift|raise|move)\s+(?:my|his|her)\s+(?:left\s+|right\s+)?arm\b",
        r"\bworst\s+headache\b",
        r"\b(?:left|right)\s+(?:hand|arm)\s+(?:won'?t|wont|doesn'?t|can'?t|isn'?t|will\s+not)\s+"
        r"(?:work|move|respond|grip)\b",
        r"\b(?:(?:seeing|see)\s+double|double\s+vision)\b(?![^.?!]{0,30}\b(?:sometimes|occasionally|"
        r"when\s+i'?m\s+(?:really\s+)?tired|at\s+times)\b)",
    ],
    "collapse": [
        r"\b(?:coll?aps(?:ed|ing)|passed\s+out|unconscious|fainted|faint(?:ed|ing)\s+in|blacked\s+out|"
        r"keeled\s+over|lost\s+consciousness|not\s+respond\w*|unresponsive|won'?t\s+wake\s+up)\b",
        r"\b(?:having|had)\s+a\s+(?:seizure|fit)\b",
        r"\bcall(?:ing)?\s+(?:an?\s+)?ambulance\b",
        r"\b(?:this\s+is\s+an|it'?s\s+an|having\s+an|medical)\s+emergency\b",
        r"\bnot\s+making\s+(?:any\s+)?sense\b",
        r"\b(?:drowsy|sleepy)\s+and\s+confused\b|\bconfused\s+and\s+(?:drowsy|sleepy)\b",
        r"\bconfused\s+(?:since|after)\s+(?:the|my|his|her)\s+(?:session|chamber|cryo|treatment)\b",
        r"\bconfused\s+(?:since|after)\s+(?:i|we|he|she)\s+(?:left|came\s+out|got\s+out|got\s+home)\b",
        r"\b(?:hard|difficult|can'?t|cannot)\s+(?:to\s+)?wake\s+(?:him|her|them)?\s*up\b",
    ],
    "hypothermia": [
        r"\b(?:can'?t|won'?t|doesn'?t|didn'?t|cannot)\s+stop\s+(?:shivering|shaking)\b",
        r"\b(?:shivering|shaking)\s+(?:uncontrollabl\w*|violently|non[-\s]?stop)\b",
        r"\buncontrollabl\w*\s+(?:shivering|shaking)\b",
        r"\bstill\s+(?:shaking|shivering)\s+(?:like\s+(?:mad|crazy|a\s+leaf)|all\s+over|so\s+badly)\b",
        r"\bhypotherm",
        r"\b(?:(?:very|so|really|freezing|icy|ice)\s+cold|(?:body|i'?m|im|he'?s|she'?s|feels?|feeling)"
        r"\s+(?:is\s+)?(?:freezing|frozen|ice\s+cold))\b[^.?!]{0,80}\b(?:nodding\s+off|slow\s+to\s+"
        r"(?:answer|respond|reply)|keeps?\s+(?:falling\s+asleep|dozing))",
        r"\bstill\s+(?:be\s+|feel\s+|feeling\s+)?(?:freezing|frozen|so\s+cold|ice\s+cold)\b[^.?!]{0,40}"
        r"\b(?:shaking|shivering)\s+(?:so\s+(?:hard|much|badly)|uncontrollably|violently|like\s+mad|"
        r"all\s+over)",
        r"\b(?:can'?t|cannot|unable\s+to)\s+(?:get\s+)?warm(?:\s+up)?\b",
        r"\b(?:so|very|really|freezing|icy|ice)\s+cold\b[^.?!]{0,60}\b(?:drowsy|sleepy|confused|"
        r"muddled|slurr\w*|speech\s+is\s+slow|not\s+making\s+sense|hard\s+to\s+wake)\b",
        r"\b(?:icy|ice|freezing)\s+cold\b[^.?!]{0,60}\b(?:drowsy|sleepy|confused|muddled|"
        r"not\s+making\s+sense|hard\s+to\s+wake)\b",
    ],
    "circulation": [
        r"\b(?:legs?|foot|feet)\s+(?:is|are|has|have|went|turned|turning|looks?|gone|feels?)?\s*"
        r"(?:\w+\s+)?(?:cold\s+and\s+(?:pale|white|blue)|pale\s+and\s+cold|white\s+and\s+cold)\b",
        r"\bcold\s+(?:and\s+)?(?:pale|white|blue)\s+(?:legs?|foot|feet)\b",
    ],
    "cold_burn": [
        r"\b(?:frost\s?bit\w*|frost\s?nip|cold\s+burns?|ice\s+burns?|freeze\s+burns?|"
        r"burnt?\s+by\s+the\s+cold)\b",
        r"\bblister\w*\b[^.?!]{0,60}\b(?:session|chamber|cryo\w*|treatment|cold|booth|cabin)\b",
        r"\b(?:session|chamber|cryo\w*|treatment|booth|cabin)\b[^.?!]{0,60}\bblister",
        r"\bblister\w*\b[^.?!]{0,80}\b(?:sweaty|damp|wet|soggy)\s+(?:gloves|socks|clothes|shorts|"
        r"top|shirt|feet|hands)\b|\b(?:sweaty|damp|wet)\s+(?:gloves|socks|clothes)\b[^.?!]{0,80}"
        r"\bblister",
        r"\bskin\b[^.?!]{0,40}\b(?:waxy|hard\s+and\s+white|white\s+and\s+hard|grey|gray|black|"
        r"blackish)\b",
        r"\b(?:turned|gone|going|went|turning)\s+(?:purple|black|purple-black|blackish|dark\s+purple)"
        r"[^.?!]{0,40}\b(?:after|since)\s+(?:the\s+|my\s+)?(?:session|cryo\w*|chamber|treatment)\b",
    ],
    "infection": [
        r"\b(?:fever|feverish|chills|shivers|hot|swollen|swelling|pus|oozing|red\s+and\s+hot)\b"
        r"[^.?!]{0,60}\b(?:injection|epidural|surgery|operation|procedure|incision|wound|op)\b",
        r"\b(?:injection|epidural|surgery|operation|procedure|incision|wound)\b[^.?!]{0,60}\b"
        r"(?:fever|feverish|chills|shivers|hot|swollen|pus|oozing|infected)\b",
    ],
    "cancer_history": [
        r"\b(?:cancer|tumou?r|chemo\w*|radiotherapy|radiation\s+therapy|lymphoma|leuka?emia|"
        r"myeloma)\b[^.?!]{0,120}\b(?:at\s+night|night\s+pain|in\s+the\s+night|wakes?\s+(?:me|him|"
        r"her)|at\s+rest|new\s+(?:back\s+)?pain|worse\s+at|getting\s+worse|won'?t\s+(?:go|ease)|"
        r"started\s+(?:hurting|aching|to\s+hurt)|begun\s+to\s+hurt|"
        r"(?:doesn'?t|does\s+not|not)\s+ease|constant|different)\b",
        r"\b(?:at\s+night|night\s+pain|wakes?\s+(?:me|him|her)|at\s+rest|new\s+(?:back\s+)?pain)\b"
        r"[^.?!]{0,120}\b(?:cancer|tumou?r|chemo\w*|radiotherapy|lymphoma|leuka?emia|myeloma)\b",
    ],
    "weight_loss": [
        r"\b(?:lost|losing|dropped|dropping)\s+(?:\w+\s+){0,3}(?:weight|kilos?|kg|pounds|lbs|"
        r"stone|dress\s+sizes?|sizes)\b[^.?!]{0,60}\b(?:without\s+(?:trying|dieting|meaning\s+to)|no\s+reason|"
        r"not\s+(?:trying|dieting)|don'?t\s+know\s+why|unexplained|for\s+no)\b",
        r"\bunexplained\s+weight\s+loss\b",
        r"\bnight\s+sweats\b|\bsweat(?:s|ing|y)?\s+(?:at|in\s+the|during\s+the)\s+night\b",
    ],
    "fever": [
        r"\b(?:fever|feverish|high\s+temperature|temperature\s+of|running\s+a\s+temp\w*|chills|"
        r"burning\s+up|shivery|hot\s+and\s+cold|(?:cold|hot)\s+sweats)\b",
    ],
}


@dataclass(frozen=True)
class RuleHit:
    """A category's phrase found in a text (its level of care is in bot/nlu/red_flags.yml)."""

    category: str
    start: int
    end: int


@lru_cache(maxsize=1)
def compiled() -> Dict[str, Pattern[str]]:
    return {
        category: re.compile("|".join(patterns), re.IGNORECASE)
        for category, patterns in PATTERNS.items()
    }


def rule_hits(text: str) -> List[RuleHit]:
    """Every match of every category's phrases: a past first mention must not hide a later one
    ("I fainted years ago, and today I passed out in the chamber")."""
    normalised = text.replace("’", "'").replace("‘", "'")
    return [
        RuleHit(category, match.start(), match.end())
        for category, pattern in compiled().items()
        for match in pattern.finditer(normalised)
    ]


def emergency_kind(category: Optional[str]) -> str:
    """What the emergency answer is chosen by: the crisis line first for suicidal thoughts."""
    return SUICIDE if category == SUICIDE else MEDICAL
