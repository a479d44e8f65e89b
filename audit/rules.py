"""Rules that find identifiers and tell-tale wording, each carrying the reason shown to the user.

A rule alone rarely decides anything: the trained model weighs which rules
fired together with the wording around them. What rules give is evidence a
person can check ("52M" = age + sex) and features the model can count: several
identifier types together are what point at one patient.

A rule has `words` (phrases matched whole-word on the lowercased text, in one
pass over its tokens for all rules together) and/or a `regex` for shapes that
words cannot express (ages, room numbers, capitalised place names).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from itertools import pairwise

from audit import prefilter
from audit.context import Context
from audit.model import Evidence

PATIENT = "patient_reference"
VENTING = "venting"
GRAND_ROUNDS = "grand_rounds"
ADVICE = "medical_advice"

_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


@dataclass(frozen=True, slots=True)
class Rule:
    """`regex` runs on the original text when `case` matters, else on the lowercased text."""

    name: str
    category: str
    label: str
    reason: str
    words: tuple[str, ...] = ()
    regex: re.Pattern[str] | None = None
    identifier: bool = False
    case: bool = False


def _lower_regex(regex: str) -> str:
    """Lowercase a pattern's literals but not its escapes (`\\D` must not become `\\d`)."""
    out, escaped = [], False
    for ch in regex:
        out.append(ch if escaped else ch.lower())
        escaped = ch == "\\" and not escaped
    return "".join(out)


def _rule(name: str, category: str, label: str, reason: str, *, words: str = "", regex: str = "",
          identifier: bool = False, case: bool = False) -> Rule:
    phrases = tuple(p.strip() for p in words.split("|") if p.strip())
    # Matching lowercased text case-sensitively is 2-3x faster than re.IGNORECASE.
    compiled = (re.compile(regex) if case else re.compile(_lower_regex(regex))) if regex else None
    return Rule(name, category, label, reason, phrases, compiled, identifier, case)


# Controlled drugs people hand on to friends; giving them away is diversion, a crime and a licence matter.
_CONTROLLED = (r"(?:oxy|oxys|oxycodone|oxycontin|percs?|percocets?|norcos?|vicodin|xanax|adderall|valium|klonopin|ativan|tramadol|"
               r"dilaudid|fentanyl|morphine|vyvanse|ritalin)\b")

# "3M tape", "1M views", "fever of 102F", "20F outside": numbers with M or F that are not an age and a sex.
_NOT_AGE_SEX = (r"(?!\s*(?:tape|masks?|respirators?|n95s?|tegaderm|micropore|transpore|views|followers|subscribers|likes|dollars|"
                r"people|users|dash|hurdles|relay|race|outside|out there|degrees|windchill|wind chill|shoes?)\b)"
                r"(?<!\b9[5-9]F)(?<!\b10[0-9]F)")
# Capitalised words that begin a sentence or a phrase, not a name: "At Lincoln Elementary" is the school, not "At Lincoln".
_NOT_A_NAME = (r"(?=[A-Z])(?!(?:The|A|An|At|To|From|In|On|Of|By|For|And|But|So|No|My|Our|His|Her|Their|Went|Came|Transferred|Kid|Feeling|"
               r"Got|Into|Then|Happy|Just|Like|Back|Off|Over|When|While|After|Before|Via|With|Medical|Nursing|Grad|Law|Dental|"
               r"Med|Surgeon|Attorney|Inspector|Secretary)\s)")

# Mountains and television hospitals, not where a patient was seen.
_NOT_A_HOSPITAL = (r"(?!(?:Everest|Kilimanjaro|Rainier|Hood|Fuji|Whitney|Shasta|Kenya|Olympus|Rushmore|Etna|Vesuvius|Snowdon|Denali|"
                   r"Kosciuszko|Elbert|Baker|Tam|Tamalpais|Cook|Ruapehu|Blanc|Grey Sloan|Seattle Grace|"
                   r"Princeton[- ]Plainsboro)\b)")

RULES: tuple[Rule, ...] = (
    # patient_reference: identifiers. Each names one of the ways a "de-identified" story identifies.
    _rule("age_sex_short", PATIENT, "age + sex", "age and sex in clinical shorthand", identifier=True, case=True,
          regex=r"\b(?<![$£€.])\d{1,3}\s?(?:[yY]/?[oO]\s?)?(?:[MF]\b(?![a-z])|(?:male|female)\b)" + _NOT_AGE_SEX
                + r"|\b\d{1,3}\s?yo\s?[mf]\b"),
    _rule("age", PATIENT, "age", "an exact age", identifier=True,
          regex=r"\b\d{1,3}\s?-?\s?(?:yo|y/o|y\.o\.|yrs?\s?old|years?[\s-]old|yr-old|mo(?:nth)?s?[\s-]old|w(?:ee)?ks?[\s-]old|days?[\s-]old)(?![a-z0-9])"),
    _rule("age_range", PATIENT, "age range", "an age range, with the other details, narrows who it was", identifier=True,
          regex=r"\bin (?:his|her|their) (?:late |early |mid-?)?(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|[2-9]0s)\b"),
    _rule("obstetric", PATIENT, "obstetric history", "obstetric history (gravida/para, gestation) narrows it to one pregnancy", identifier=True,
          regex=r"\bg\d{1,2}\s?p\d{1,2}(?:\d{3})?\b|\b\d{2}\s?(?:\+\d)?\s?(?:wks?|weeks)\s?(?:ga|gestation|pregnant)\b|\b\d{2}\s?weeker\b"),
    _rule("sex_person", PATIENT, "one person", "describes one particular person", identifier=True,
          words="old man|old woman|old lady|old guy|old gentleman|young man|young woman|young guy|young lady|elderly man|elderly woman|"
                "elderly lady|elderly gentleman|this lady|this gentleman|this grandma|this grandpa|this toddler|this newborn|this teen|"
                "a lady|a gentleman|a grandma|a grandpa|a toddler|a newborn|a teenager|the lady|the gentleman|the toddler|the newborn"),
    _rule("bed_room", PATIENT, "bed/room", "a bed or room number places the patient in time and space", identifier=True,
          regex=r"\b(?<!escape )(?:hall(?:way)? bed|bed|room|rm\.?|bay|trauma bay|resus|cubicle|pod|cube|exam room|ward)[\s-]?#?\s?\d{1,4}[a-z]?\b"
                r"(?!\s*(?:hours?|hrs?|mins?|minutes|days?|nights?|weeks?|years?|times|council\w*|aldermen|alderman|candidates?|elections?)\b)"),
    _rule("unit", PATIENT, "unit", "names the unit where it happened", identifier=True,
          words="picu|nicu|micu|sicu|cvicu|ccu|icu|pacu|l&d|l & d|hdu|scbu|the itu|on itu|in itu|trauma bay|step down|stepdown|med surg|"
                "medsurg|oncology floor|burn unit|psych ward|labor and delivery|the er|our er|the unit|our unit|the floor",
          regex=r"\b\d{1,2}(?:\s?(?:north|south|east|west)\b(?!\s*(?:street|st\b|ave))|[new]\b(?!/))"),
    # A rule of its own so that its gate is "&": in the unit rule's regex it made the gate "a digit or an a".
    _rule("unit_ae", PATIENT, "unit", "names the unit where it happened", identifier=True,
          regex=r"(?<!vitamins )(?<!vitamin )\ba\s?&\s?e\b"),
    # Case-sensitive, so that "the Ed Sheeran show" (Ed before a surname) is not the emergency department.
    _rule("unit_ed", PATIENT, "unit", "names the unit where it happened", identifier=True, case=True,
          regex=r"\b(?:[Tt]he|[Oo]ur|THE|OUR)\s(?:ED|ed|Ed(?!\s+[A-Z]))(?:['’]?s)?\b"),
    _rule("time_exact", PATIENT, "time of day", "an exact time can be matched to admission or EMS logs", identifier=True,
          regex=r"\b(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)|\b(?:0\d|1\d|2[0-3])[0-5]\d\s?(?:hrs|h)\b(?!\s+of\b)"
                # "0300": a 24-hour time with its leading zero, not a phone number's first digits
                r"|\b0\d[0-5]\d\b(?![\s-]?\d)"),
    _rule("time_now", PATIENT, "real time", "posted while it was happening, so the time of the post dates the encounter", identifier=True,
          words="tonight|this morning|this afternoon|this evening|last night|right now|just now|currently|as we speak|today|this shift|"
                "on shift|mid shift|overnight|just came in|just rolled in|just wheeled in|just got a|just had a|just had an|this am",
          # "rn" is "right now" only in lowercase, and never "an rn": RN is the nurse.
          case=True, regex=r"(?<![Aa]n )(?<![Aa] )\brn\b"),
    _rule("place", PATIENT, "place", "a street, road, school or venue ties the story to a real event", identifier=True, case=True,
          words="",
          regex=r"\b" + _NOT_A_NAME + r"(?:[A-Z][a-z]+\s){1,2}(?:St\b(?!\.?\s[A-Z])|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Lane|Ln|Drive|Way|Pkwy|Parkway)\b"
                r"|\b(?:Route|Rte|Rt\.?|Hwy|Highway|US|SR|Interstate)[\s-]?\d{1,3}\b|\bI-\d{1,3}\b(?!\s+forms?\b)|\bthe [MA]-?\d{1,3}\b"
                r"|\b" + _NOT_A_NAME + r"(?:[A-Z][\w']+\s){1,3}(?:High|Elementary|Middle|Academy|School|College|University|Gym|Fitness|Mall|Church|Park|Stadium|Arena|Casino|Prison|Jail)\b"
                r"|\bthe (?:local|downtown|county) (?:gym|school|pool|bar|mall|park|jail|prison|fair|highway|plant|factory|mine|farm)\b"),
    _rule("hospital_name", PATIENT, "named hospital", "names the hospital, so anyone local can narrow it down", identifier=True, case=True,
          regex=r"\b(?:St\.?|Saint|Mount|Mt\.?)\s" + _NOT_A_HOSPITAL + r"[A-Z][\w']+(?![\w'])(?!\s+Day\b)|\b(?<!Grey )(?<!Seattle )(?<!Princeton-)" + _NOT_A_NAME + _NOT_A_HOSPITAL
                + r"(?:[A-Z][\w']+\s){1,3}(?:General|Memorial|Medical Center|Hospital|Infirmary|Children's|Regional|Clinic)\b(?!\s+Day\b)"),
    _rule("occupation_fame", PATIENT, "occupation or fame", "an occupation or fame makes the person recognisable", identifier=True,
          regex=r"\b(?:the|a|an|local|our|famous|well-known|well known)\s+(?:(?:local|famous|retired|former|high school|elementary)\s+)?"
                r"(?:mayor|senator|councilman|councilwoman|congressman|celebrity|actor|actress|singer|rapper|musician|athlete|footballer|"
                r"(?:hockey|football|basketball|baseball|soccer|nfl|nba) player|(?:high school|football|basketball|baseball|soccer|hockey|track|swim|"
                r"little league|varsity) coach|pastor|priest|rabbi|imam|teacher|principal|lawyer|"
                r"attorney|cop|police officer|sheriff|firefighter|judge|(?<!our )ceo|news anchor|weatherman|reporter|influencer|youtuber|professor|"
                r"pilot|business owner)s?(?:'s)?\b(?!\s+(?:study|studies|investigators?|project|program|trial|data)\b)"),
    _rule("named_person", PATIENT, "name or initials", "a name, nickname or initials, even partial, identify", identifier=True, case=True,
          regex=r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s(?!(?:Bean|Rogers|Potato|Clean|Right|Incredible|Miyagi|Burns|Krabs|Rachel)\b)"
                r"[A-Z](?:['’]?[A-Za-z]+|\.)?(?!\w)|\bBaby\s(?!(?:Shark|Yoda|Driver|Boomers?|Bump|Shower)\b)[A-Z][a-z]+\b"
                r"|\bthe\s(?!(?:Oscars|Grammys|Emmys|Olympics|Avengers|Simpsons|Kardashians|Beatles|Holidays)\b)[A-Z][a-z]+s\b(?=[\s'])|\b(?:pt|patient)\s[A-Z]\.?[A-Z]?\.?(?!\w)"),
    _rule("rare_injury", PATIENT, "rare condition or unusual injury", "a rare condition or unusual injury is remembered by everyone around the patient",
          identifier=True,
          words="impaled|impalement|amputation|amputated|degloving|degloved|decapitated|ingested|foreign body|rectal|lodged|"
                "chainsaw|firework|fireworks|struck by lightning|lightning strike|rollover|roll over|ejected from the vehicle|"
                "ejected from the car|partially ejected|gsw|gunshot|stabbed|stabbing|stab wound|dog bite|dog attack|"
                "bear attack|harlequin|progeria|situs inversus|fournier's|necrotizing|nec fasc|conjoined|quadruplets|quints|"
                "fibrodysplasia|elephantiasis|leprosy|botulism|ebola|anthrax|plague|snakebite|snake bite|self inflicted|"
                "overdose|overdosed|od'd|suicide attempt|found hanging|attempted hanging|drowned|near drowning|burns over|tbsa|mvc|"
                "mva|car crash|motorcycle crash|pileup|multi car pile up|tractor|combine harvester|wood chipper|nail gun",
          # swallowing an object, not one's pride
          regex=r"\bswallowed(?= (?:a|an|his|her|their|two|three|\d+|batteries|magnets|coins|pins)\b)"
                # the author's own twins are family; a rabies shot is a vaccine, not a case
                r"|(?<!my )(?<!our )\b(?:twins|triplets)\b"
                r"|\b(?:rabies|tetanus)\b(?!\s+(?:vaccines?|vaccinations?|shots?|jabs?|boosters?|immuni[sz]ations?|clinics?)\b)"),
    _rule("image", PATIENT, "photo of clinical data", "a photo of a scan, chart, monitor or body part is patient data", identifier=True,
          # Not "my" (the writer's own scan or rash) and not a request ("can you look at this rash"): someone asking is not sharing.
          regex=r"\b(?<!can you )(?<!could you )(?<!can u )(?<!would you )(?<!please )"
                r"(?:look at|check out|swipe (?:to see|for)|pic of|photo of|picture of|here'?s|(?<!look at )(?<!check out )this)"
                r"\s+(?:this|the|his|her|our|that)?\s*"
                r"(?:rhythm strip|chest film|chest x-?ray|x-?ray|xr|ct|cat scan|scan|mri|ultrasound|echo|ecg|ekg|strip|rhythm|chart|monitor|labs?|specimen|wound|rash|lesion|"
                r"whiteboard|tracker|census|wristband)\b|🩻"),
    _rule("encounter", PATIENT, "own clinical encounter", "describes an encounter from the author's own clinical work",
          words="came in|rolled in|presented with|presents with|brought in|wheeled in|walked in|showed up|checked in|biba|bibems|c/o|s/p|"
                "hx of|h/o|pmhx|pmh|my patient|my pt|our patient|our pt|my client|my resident|my kiddo|i admitted|we admitted|i intubated|"
                "we intubated|we coded|i coded|i delivered|we delivered|i discharged|i diagnosed|i pronounced|we pronounced|i sutured|"
                "i stitched|i scoped|i operated|i triaged|we transferred|we resuscitated|we tubed|we shocked|i treated|i examined|we lost|"
                "i sedated|we extubated|my patients|patient today|patient tonight|pt today|pt tonight|a patient who|a pt who|"
                "this patient|this pt|one patient|patient came|patient told|patient asked|patient said",
          regex=r"\b(?:my|our|this|the)\s+(?:lady|guy|dude|gent|kid|baby|mama)\s+(?:in|on|from|who|with)\b"),
    _rule("care_reveal", PATIENT, "reveals care", "speaks to someone about their own care, which tells everyone they are a patient",
          identifier=True,
          words="your scan|your scans|your labs|your biopsy|your results|your xray|your x ray|your mri|your ct|your incision|your stitches|"
                "your sutures|your follow up|your followup|your appointment|your appt|your a1c|your wound|your surgery|your procedure|"
                "your bloodwork|your pathology|your discharge|your cast|your chemo|your dialysis|your c section|"
                "see you for your|at clinic today|in clinic today|at your visit|you were my patient|"
                "you're my patient|you were my pt",
          # a mother's delivery, not the delivery of a talk or a parcel
          regex=r"\byour delivery\b(?!\s+(?:of|date|driver|window|address|slot)\b)"),
    # Cues that a clinical-sounding post is not about the author's patient. Never shown as evidence:
    # the model learns how much each lowers the score.
    _rule("family_member", PATIENT, "family", "about the author's own family",
          words="my mom|my mum|my mother|my dad|my father|my husband|my wife|my son|my daughter|my brother|my sister|my grandma|"
                "my grandpa|my grandmother|my grandfather|my nan|my aunt|my uncle|my cousin|my kid|my kids|my partner|my boyfriend|"
                "my girlfriend|my bf|my gf|my twins|my niece|my nephew|my in laws|my mil|my fil|my baby|my toddler|my husband's|my wife's|"
                "my mom's|my dad's|my father in law|my mother in law|my best friend"),
    _rule("own_health", PATIENT, "own health", "about the author's own health",
          words="my surgery|my diagnosis|my biopsy|my own|my therapist|my doctor|my gp|my pcp|my meds|my labs|my scan|my mri|"
                "i was diagnosed|i had surgery|i got my|as a patient|my recovery|my chemo|my pregnancy|my ob|i'm pregnant|my appointment"),
    _rule("research_teaching", PATIENT, "research or teaching", "research, teaching or public education, not one patient",
          words="study|studies|trial|rct|meta analysis|cohort|paper|journal club|abstract|poster|conference|lecture|webinar|cme|"
                "guideline|guidelines|published|pearl|pearls|tip|tips|reminder|psa|did you know|signs of|symptoms of|evidence|"
                "data show|research|review article|grand rounds talk|podcast|thread on|learn more|awareness|screening|vaccine|vaccines",
          regex=r"\bn\s?=\s?\d+"),
    _rule("fiction_sim", PATIENT, "fiction or simulation", "simulation, fiction or a composite, which says so",
          # "details changed" is not here: it claims a real story was de-identified, which the seeds say it rarely is.
          # Shows and films only as shows ("an episode of"), not as a comparison ("like a horror movie", "better than Netflix").
          words="sim lab|simulation|standardized patient|standardised patient|mannequin|manikin|sim man|fictional|composite|"
                "hypothetical|case study|made up|details invented|every detail invented|not a real patient|not a real person|"
                "not a real pt|not a real case|no real patient|not real patients|board question|practice question|osce|grey's|"
                "greys anatomy|the pitt|house md|er reruns|er episodes|tv show|episode of|episodes of|new episode|last episode|"
                "this episode|the episode|season finale|on netflix|the novel|this novel|my novel|reading a novel|the movie|"
                "this movie|that movie|a movie about|movie night"),
    _rule("hiring", PATIENT, "hiring", "a job advertisement",
          words="hiring|job opening|apply|positions|recruiting|we're looking for|sign on bonus|now hiring|join our team"),
    _rule("software", PATIENT, "software", "software, not a cardiac arrest",
          words="code review|pull request|python|javascript|bug|deploy|repo|github|compile|compiler|refactor|my app|the app"),
    _rule("clinical_setting", PATIENT, "clinical setting", "words of the clinic or ward",
          words="patient|pt|pts|shift|ward|clinic|hospital|nurse|nurses|doctor|doc|results|scan|diagnosis|diagnosed|surgery|chart|"
                "discharge|discharged|admitted|admission|er|ed|icu|code|coded|bed|labs|meds|consult|rounds|call|on call|"
                "ambulance|ems|paramedic|triage|resus|theatre|or|op|post op|pre op|biopsy|tumour|tumor|cancer|chemo|stroke|"
                "seizure|fracture|stitches|sutures|wound|iv|line|cath|intubated|vent|dialysis|hospice|palliative|passed away|"
                "died|family|relatives|daughter|son|wife|husband|mum|mom|dad|baby|labour|labor|delivery|delivered|client|"
                "session|therapy|appointment|appt|visit|exam|x ray|xray|mri|ct|bloods|bloodwork|prescription|script|rx|dose|"
                "pharmacy|chair|filling|extraction|crown|physio|rehab|ot|pt session|unit|floor|bay|room|cubicle|pod"),
    # venting
    _rule("contempt_patients", VENTING, "contempt", "contemptuous words about people in the care setting",
          words="frequent flyer|frequent flier|drug seeker|drug seeking|seekers|these people|those people|entitled|nutcase|crazies|"
                "train wreck|trainwreck|gomer|dirtbag|scumbag|idiot|moron|imbecile|dumbass|stupid|stupidity|clueless|lazy|useless|"
                "incompetent|pathetic|worthless|ungrateful|noncompliant|non compliant|manipulative|whiny|whining|whiner|karen|"
                "attention seeking|attention seeker|malingering|malingerer|morons|idiots|dumb"),
    _rule("complaint", VENTING, "complaint", "a complaint, which becomes contempt when aimed at people you care for or work with",
          words="can't stand|cant stand|sick of|sick and tired|fed up|so done with|hate it when|hate when|hate my|hate our|hate the|"
                "hate these|hate those|i hate|worst family|worst families|worst patient|worst nurse|worst attending|worst resident|"
                "worst consultant|worst hospital|worst program|rant|venting|eye roll|eyeroll|smh|wtf|ffs|why do families|why do patients|"
                "why do people|why do nurses|why do doctors|why do surgeons|why do residents|thanks for nothing|so much for|never again",
          regex=r"🙄|🤬|😤"),
    _rule("target_people", VENTING, "target", "names who the complaint is aimed at",
          words="family|families|relatives|patient|patients|pts|nurse|nurses|charge nurse|resident|residents|intern|interns|attending|"
                "attendings|consultant|consultants|surgeon|surgeons|hospitalist|hospitalists|doctor|doctors|admin|administration|"
                "management|manager|program|pd|apd|chief|ceo|cmo|don|hr|travelers|travel nurse|travel nurses|techs|pharmacy|radiology|"
                "ortho|gen surg|psych|the hospital|our hospital|my hospital"),
    # grand_rounds
    _rule("intoxication", GRAND_ROUNDS, "intoxication or drugs", "intoxication or drug use",
          words="drunk|wasted|hammered|smashed|plastered|blackout|blacked out|shitfaced|tipsy|trashed|hungover|hangover|shots of|"
                "tequila shots|vodka shots|jager shots|fireball shots|keg|beer bong|chugged|chugging|high af|stoned|baked|blazed|edible|"
                "edibles|weed|joint|bong|dabs|420|coke|cocaine|molly|mdma|ecstasy|acid|shrooms|ketamine|k hole|xanax|xannies|percs|"
                "oxys|adderall|addy|vyvanse|popping pills|rolling|tripping|bender|rager|drinking on shift|drinking at work|drinking on call|"
                "drunk on call|buzzed|coked up|spliff|spliffs|shroom|mushroom tea|mushroom shake|drank too much|drank way too much|"
                "too many drinks|day drinking|day drunk|pregame|pregaming|lsd|dmt|acid trip|on acid|still drunk|still tipsy|wine drunk|"
                "keg stand|jello shots|body shots",
          regex=r"🍻{2,}|🥴|🍺🍺|🍷🍷🍷"),
    _rule("sexual", GRAND_ROUNDS, "sexual content", "sexual content",
          words="sex|sexy|horny|hook up|hooked up|hookup|nudes|naked|boobs|tits|titties|dick|cock|pussy|ass|booty|thirst trap|smash|"
                "banged|banging|porn|orgasm|kinky|threesome|one night stand|call room hookup|sleeping with|slept with|dtf|fwb|bj|"
                "blowjob|milf|dilf|hot nurse|hot doctor|hot resident|hot patient|dirtiest way|that's what she said|thats what she said",
          regex=r"😏|🍆|🍑|💦|f\*ck buddy"),
    _rule("slur", GRAND_ROUNDS, "slur or discrimination", "a slur or discriminatory language",
          words="retard|retarded|retards|faggot|fag|fags|tranny|trannies|n word|wetback|towelhead|beaner|gypsy|gyp|shemale|illegals|"
                "savages|subhuman|animals|welfare queen|ghetto|trailer trash|white trash|oriental|spaz|cripple|midget|"
                "these foreigners|go back to your country",
          regex=r"\b(?:r\*+e?t?a?r?d\w*|re?t\*+a?r?d\w*|ret\*rd\w*|f\*+g+\w*|fa\*+\w*|n\*+(?:a|er|ers|gga|gger)\b|ch\*+nk|sp\*+c|k\*+ke|tr\*+nn\w*)"),
    # Bigotry rarely uses a slur: it sweeps a whole people into one remark ("those Filipinos all...", "go back home").
    _rule("group_slight", GRAND_ROUNDS, "slur or discrimination", "a sweeping remark about a whole ethnic, national or religious group",
          words="go back to where|go back home|speak english|learn english|their culture|your people|you people|their kind|"
                "those kind of people|that kind of people|women shouldn't be|women should not be|women don't belong|women dont belong|"
                "women have no business|women belong in the kitchen|women are too emotional|men shouldn't be|men don't belong",
          regex=r"\b(?:all|these|those|typical|every|the|bloody|damn|fucking|f\*+ing)\s+(?:filipinos?|pinoys?|mexicans?|hispanics?|"
                r"latinos?|indians?|pakistanis?|nigerians?|africans?|asians?|chinese|arabs?|muslims?|jews|hindus?|immigrants?|"
                r"foreigners|refugees|gypsies|blacks|whites|gays|trans people|russians|poles|romanians)\b(?!\s+(?:nurses?|doctors?|"
                r"colleagues?|staff|heritage|month|week|association|community|patients? (?:deserve|need)))"),
    # Letters starred out are how slurs get past filters ("g*psy"); everyday swearing ("f*ck", "sh*t") is left to the words around it.
    _rule("masked_word", GRAND_ROUNDS, "starred-out word", "a word with letters starred out, the way slurs and obscenities are posted",
          regex=r"\b(?!f\*+c?k|f\*+ck|fu\*+k|sh\*+t|d\*+mn|h\*+ll|cr\*+p|a\*+[sh]|b\*+tch)[a-z]+\*+[a-z]+"),
    _rule("mockery", GRAND_ROUNDS, "crude mockery", "crude mockery of patients, bodies or cadavers",
          words="whale|whales|land whale|landwhale|landwhales|fatty|fatties|fatso|heifer|porker|obese slob|lard|hambeast|smelled like|"
                "stank|stinks|stench|gross|grossest|disgusting|nasty|ugly|hideous|freak|freakshow|freak show|zoo|circus|cadaver|dead guy|"
                "corpse|pooped|poop|shit|shitting|vomit|puked|lmao|lmfao|named our cadaver|gomer",
          regex=r"😂{2,}|🤣|💀|\b\d{3}\s?-?\s?pounders?\b"),
    _rule("abusive_politics", GRAND_ROUNDS, "abusive politics", "an abusive partisan attack",
          words="libtard|libtards|rethuglican|rethuglicans|repugs|demonrats|commie|commies|nazis|fascists|traitors|should be shot|"
                "should be hanged|should be hung|should all be shot|should all be deported|should be jailed|scum|maga morons|maga idiots|"
                "maga cult|snowflakes|sheeple|cuck|cucks|treasonous"),
    _rule("illegal", GRAND_ROUNDS, "illegal act", "an illegal or fireable act",
          words="stole|stealing|swiped|pocketed|took home|from the pyxis|from the omnicell|from the med room|from the crash cart|"
                "drove home drunk|drove home buzzed|drove home high|drunk driving|dui|fake note|fake sick note|fake prescription|"
                "wrote myself a script|wrote myself an rx|self prescribed|self prescribing|borrowed some",
          # handing someone else one's controlled drugs (diversion), not advising on their own prescription
          regex=r"\b(?:my|of my|some of my|the|some) (?:leftover |extra |old |spare )?" + _CONTROLLED +
                r"(?: (?:i|we) (?:gave|give|slipped|sold) you| (?:i|we)'?ll (?:bring|drop off|give you|leave you|sell you))"
                r"|\b(?:bring|give|sell|slip|drop off|hook) you (?:up )?(?:with )?(?:some of |a few of )?my (?:leftover |extra |old |spare )?"
                + _CONTROLLED),
    # medical_advice
    _rule("directive", ADVICE, "instruction to someone", "tells one person what to do about their health",
          regex=r"\b(?:you should|you need to|you'?ll need to|you can|you could|i'?d|i would|just|try|go ahead and|make sure you|definitely|"
                r"don'?t|do not|no need to|stop|start|keep)\s+(?:take|taking|stop|stopping|start|starting|double|doubling|halve|increase|"
                r"decrease|up|cut|skip|skipping|switch|use|try|give|ice|alternate|push|hold|restart|wean|split|crush|bother|worry|go to|"
                r"come in|see)\b|\b(?:take|give (?:him|her|them|the baby))\s+(?:\d+|one|two|a couple|half)\b"),
    _rule("dose", ADVICE, "dose", "a specific dose or schedule",
          words="q4h|q6h|q8h|q12h|bid|tid|qid|qhs|prn|twice a day|at bedtime|double dose|double up|half a tab|half a pill|extra dose",
          regex=r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|ml|units?|iu|tabs?|tablets?|pills?|puffs?|drops?)\b|\bevery \d+ ?(?:hours?|hrs?|h)\b"),
    _rule("diagnosis_for_you", ADVICE, "diagnosis from afar", "a diagnosis or reassurance given without an examination",
          words="sounds like|looks like|it's probably|its probably|it's likely|it's just|that's probably|that's just|you probably have|"
                "you likely have|you've got|classic|no need for the er|no need for the ed|no need to go to the er|no need to see a doctor|"
                "no need for a doctor|don't go to the er|dont go to the er|don't bother going|skip the er|skip the ed|skip the doctor|"
                "skip the follow up|skip the appointment|you're fine|you are fine|youre fine|nothing to worry about|it's nothing|"
                "you'll be fine|youll be fine|no need to worry|totally normal|perfectly normal"),
    _rule("drug_named", ADVICE, "named drug", "a named medicine",
          words="ibuprofen|advil|motrin|tylenol|acetaminophen|paracetamol|aspirin|benadryl|zyrtec|claritin|allegra|prednisone|pred|"
                "medrol|amoxicillin|amox|augmentin|azithromycin|zpack|z pack|keflex|cipro|doxy|doxycycline|bactrim|flagyl|valacyclovir|"
                "valtrex|tamiflu|metformin|insulin|lantus|humalog|ozempic|wegovy|mounjaro|lisinopril|metoprolol|amlodipine|losartan|"
                "statin|atorvastatin|lipitor|warfarin|eliquis|xarelto|plavix|synthroid|levothyroxine|sertraline|zoloft|prozac|"
                "fluoxetine|lexapro|wellbutrin|xanax|ativan|klonopin|ambien|melatonin|trazodone|gabapentin|lyrica|tramadol|oxycodone|"
                "norco|percocet|adderall|ritalin|zofran|omeprazole|prilosec|pepcid|miralax|imodium|sudafed|flonase|albuterol|epipen|"
                "lasix|potassium|iron|vitamin d|magnesium|antibiotic|antibiotics|steroid|steroids|hydrocortisone|retinol|tretinoin|"
                "accutane|minoxidil|spironolactone|birth control|plan b|the pill|antihistamine|inhaler|cream|ointment"),
    _rule("second_person", ADVICE, "addressed to one person", "addressed to one person", words="you|your|ur|u|you're|youre", regex=r"^@\w+"),
    _rule("redirect", ADVICE, "redirect", "a redirect to proper care, which is the right answer",
          words="can't give medical advice|cannot give medical advice|can't give advice|can't offer medical advice|can't provide medical advice|"
                "not able to give medical advice|unable to give medical advice|don't give medical advice|can't give personal medical advice|"
                "can't give individual medical advice|can't advise|cannot advise|call your doctor|see your doctor|contact your doctor|"
                "ask your doctor|call your gp|see your gp|call your pcp|call your provider|call your clinic|call the clinic|call the office|"
                "ask your pharmacist|call your ob|call your midwife|see your dermatologist|patient portal|mychart|the portal|call 911|"
                "call 999|call 000|call 112|not medical advice|not your doctor|go to urgent care|see someone in person|get seen|get checked out|"
                "talk to your doctor|talking to your doctor|talked to your doctor|speak to your doctor|talk to your pharmacist|"
                "talking to your pharmacist|talked to your pharmacist|check with your doctor|check with your pharmacist|ask your prescriber|"
                "call your prescriber|whoever prescribed|get that looked at|get it looked at|get that checked|get it checked|ring your gp|"
                "call 111|call 988"),
)

RULES_BY_NAME = {r.name: r for r in RULES}
# The user's own names (--workplace, the bio) are not in the training corpus, so
# they carry no learned weight: they count toward the identifiers found together.
CONTEXT_RULE = _rule("context", PATIENT, "your own names", "a name you gave backscroll", identifier=True)
# Rules whose matches are context for the model, not evidence worth showing alone.
QUIET = frozenset({"second_person", "target_people", "redirect", "drug_named", "family_member", "own_health", "research_teaching",
                   "fiction_sim", "hiring", "software", "clinical_setting"})


def _phrase_index(rules: tuple[Rule, ...]) -> dict[str, list[tuple[tuple[str, ...], Rule]]]:
    """First token → (phrase tokens, rule), with plural and possessive forms of each phrase's last word.

    A rule's forms are kept once each: a list may name a plural ("whales") that "whale" also makes,
    and a form listed twice would show the same evidence twice.
    """
    index: dict[str, list[tuple[tuple[str, ...], Rule]]] = defaultdict(list)
    for rule in rules:
        forms: dict[tuple[str, ...], None] = {}
        for phrase in rule.words:
            tokens = tuple(_TOKEN.findall(phrase.lower()))
            if not tokens:
                continue
            forms[tokens] = None
            if tokens[-1][-1:].isalpha() and not tokens[-1].endswith("s"):
                forms[(*tokens[:-1], tokens[-1] + "s")] = None
            if tokens[-1].isalnum():  # "tonight's", "the ED's": the tokenizer keeps the 's on the word
                forms[(*tokens[:-1], tokens[-1] + "'s")] = None
                forms[(*tokens[:-1], tokens[-1] + "’s")] = None
        for form in forms:
            index[form[0]].append((form, rule))
    return dict(index)


_PHRASES = _phrase_index(RULES)


def _fired_index() -> tuple[dict[str, frozenset[str]], dict[tuple[str, str], list[tuple[str, str]]]]:
    """For `fired`: one-word phrases by word; longer ones by their first two words, with the
    whole phrase as " a b c " to look for in " w1 w2 ... " (empty when two words are all of it)."""
    singles: dict[str, set[str]] = defaultdict(set)
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for first, entries in _PHRASES.items():
        for phrase, rule in entries:
            if len(phrase) == 1:
                singles[first].add(rule.name)
            else:
                pairs[phrase[0], phrase[1]].append((" " + " ".join(phrase) + " " if len(phrase) > 2 else "", rule.name))
    return {w: frozenset(n) for w, n in singles.items()}, dict(pairs)


_SINGLES, _PAIRS = _fired_index()
_REGEX_RULES = tuple((r, prefilter.gate(r.regex)) for r in RULES if r.regex is not None)


def lower_keeping_spans(text: str) -> str:
    """The text lowercased with every character at its original offset, so spans found in it fit the text."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters (e.g. "İ") change length; keep spans exact
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered


def find_evidence(text: str, context_terms: list[tuple[str, str]], compiled_context: re.Pattern[str] | None = None,
                  only: Collection[str] | None = None) -> list[tuple[Rule, Evidence]]:
    """Every rule match in `text`, plus the user's own workplace, unit and colleague names.

    `only` (what `fired` returned for this text) skips the rules known to find nothing.
    """
    found: list[tuple[Rule, Evidence]] = []
    lowered = lower_keeping_spans(text)
    words = _TOKEN.findall(lowered)
    hits: list[tuple[int, int, Rule]] = []
    for i, word in enumerate(words):
        for phrase, rule in _PHRASES.get(word, ()):
            n = len(phrase)
            if n == 1 or tuple(words[i:i + n]) == phrase:
                hits.append((i, n, rule))
    if hits:  # token offsets only for the posts that need them
        spans = [m.span() for m in _TOKEN.finditer(lowered)]
        for i, n, rule in hits:
            start, end = spans[i][0], spans[i + n - 1][1]
            found.append((rule, Evidence(rule.category, start, end, text[start:end], rule.reason)))
    for rule, gate in _REGEX_RULES:
        subject = text if rule.case else lowered
        if (rule.name not in only) if only is not None else not prefilter.passes(gate, subject):
            continue
        for m in rule.regex.finditer(subject):  # type: ignore[union-attr]
            if m.end() > m.start():
                found.append((rule, Evidence(rule.category, m.start(), m.end(), text[m.start():m.end()], rule.reason)))
    if compiled_context is not None and (only is None or CONTEXT_RULE.name in only):
        kinds = {t.lower(): what for t, what in context_terms}
        for m in compiled_context.finditer(text):
            what = kinds.get(m.group(0).lower(), "your workplace")
            reason = f"names {what}, which identifies you and so the patient"
            found.append((CONTEXT_RULE, Evidence(PATIENT, m.start(), m.end(), m.group(0), reason)))
    return found


def fired(text: str, compiled_context: re.Pattern[str] | None = None) -> set[str]:
    """The names of the rules `find_evidence` would report, without building their evidence.

    Every post needs this set (it is what the model reads); the spans are
    worth finding only for the one post in ten that gets flagged.
    """
    names: set[str] = set()
    lowered = lower_keeping_spans(text)
    words = _TOKEN.findall(lowered)
    for word in _SINGLES.keys() & words:
        names |= _SINGLES[word]
    joined = ""
    for pair in _PAIRS.keys() & pairwise(words):
        for phrase, name in _PAIRS[pair]:
            if not phrase:
                names.add(name)
            elif name not in names:
                joined = joined or " " + " ".join(words) + " "
                if phrase in joined:
                    names.add(name)
    for rule, gate in _REGEX_RULES:  # written out flat: this loop runs 20 times per post
        if rule.name in names:
            continue
        subject = text if rule.case else lowered
        for clause in gate:
            if clause.search(subject) is None:
                break
        else:
            m = rule.regex.search(subject)  # type: ignore[union-attr]
            if m is not None and (m.end() > m.start() or any(m.end() > m.start() for m in rule.regex.finditer(subject))):  # type: ignore[union-attr]
                names.add(rule.name)
    if compiled_context is not None and compiled_context.search(text):
        names.add(CONTEXT_RULE.name)
    return names


def compile_context(context: Context) -> tuple[list[tuple[str, str]], re.Pattern[str] | None]:
    terms = context.terms()
    if not terms:
        return terms, None
    return terms, re.compile(r"\b(?:" + "|".join(re.escape(t) for t, _ in terms) + r")\b", re.IGNORECASE)
