"""Rules that find identifiers and tell-tale wording, each carrying the reason shown to the user.

A rule alone rarely decides anything: the trained model weighs which rules
fired together with the wording around them. What rules give is evidence a
person can check ("52M" = age + sex) and features the model can count: several
identifier types together are what point at one patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.context import Context
from audit.model import Evidence

PATIENT = "patient_reference"
VENTING = "venting"
GRAND_ROUNDS = "grand_rounds"
ADVICE = "medical_advice"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    category: str
    label: str
    pattern: re.Pattern[str]
    reason: str
    identifier: bool = False


def _rule(name: str, category: str, label: str, regex: str, reason: str, *, identifier: bool = False, case: bool = False) -> Rule:
    return Rule(name, category, label, re.compile(regex, 0 if case else re.IGNORECASE), reason, identifier)


_NUM_AGE = r"\d{1,3}"
RULES: tuple[Rule, ...] = (
    # patient_reference: identifiers. Each names one of the ways a "de-identified" story identifies.
    _rule("age_sex_short", PATIENT, "age + sex", rf"\b{_NUM_AGE}\s?(?:y/?o\s?)?[MF]\b(?![a-z])",
          "age and sex in clinical shorthand", identifier=True, case=True),
    _rule("age", PATIENT, "age",
          rf"\b{_NUM_AGE}\s?(?:-\s?)?(?:yo|y/o|y\.o\.|yrs?\s?old|years?[\s-]old|year-old|yr-old|mo(?:nth)?s?[\s-]old|w(?:ee)?ks?[\s-]old|days?[\s-]old)\b"
          rf"|\b(?:in (?:his|her|their) (?:late |early |mid-?)?(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|[2-9]0s))",
          "an exact age", identifier=True),
    _rule("obstetric", PATIENT, "obstetric history", r"\bG\d{1,2}\s?P\d{1,2}(?:\d{3})?\b|\b\d{2}\s?(?:\+\d)?\s?(?:wks?|weeks)\s?(?:GA|gestation|pregnant)\b",
          "obstetric history (gravida/para, gestation) narrows it to one pregnancy", identifier=True),
    _rule("sex_person", PATIENT, "sex", r"\b(?:old|young|elderly)\s+(?:man|woman|lady|guy|gentleman|boy|girl|dude|gal)\b|\b(?:a|this|the)\s+(?:lady|gentleman|grandma|grandpa|granny|toddler|newborn|teen(?:ager)?)\b",
          "describes one particular person", identifier=True),
    _rule("bed_room", PATIENT, "bed/room", r"\b(?:bed|room|rm|bay|trauma bay|resus|cubicle|pod|stall|cube)\s?#?\s?\d{1,4}[a-z]?\b",
          "a bed or room number places the patient in time and space", identifier=True),
    _rule("unit", PATIENT, "unit",
          r"\b\d{1,2}\s?(?:north|south|east|west|[NSEW])\b(?!\s*(?:street|st\b|ave))|\b(?:PICU|NICU|MICU|SICU|CVICU|CCU|ICU|PACU|L\s?&\s?D|ED|ER|A&E|OR|trauma bay|step-?down|med-?surg|tele|oncology floor|burn unit|psych ward|labor and delivery)\b",
          "names the unit where it happened", identifier=True),
    _rule("time_exact", PATIENT, "time of day", r"\b(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s?(?:am|pm|a\.m\.|p\.m\.)\b|\b(?:0[0-9]|1[0-9]|2[0-3])[0-5]\d\s?(?:hrs|h)\b",
          "an exact time can be matched to admission or EMS logs", identifier=True),
    _rule("time_now", PATIENT, "real time",
          r"\b(?:tonight|this (?:morning|afternoon|evening)|last night|right now|just now|rn|currently|as we speak|today|this shift|on shift|mid-?shift|overnight|just (?:came|rolled|wheeled) in|just (?:got|had) (?:a|an|this))\b",
          "posted while it was happening, so the time of the post dates the encounter", identifier=True),
    _rule("place", PATIENT, "place",
          r"\b(?:[A-Z][a-z]+\s){1,2}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Lane|Ln|Drive|Way|Pkwy|Parkway)\b"
          r"|\b(?:I|Route|Rte|Rt|Hwy|Highway|US|SR|M|A)[\s-]?\d{1,3}\b"
          r"|\b(?:[A-Z][\w']+\s){1,3}(?:High|Elementary|Middle|Academy|School|College|University|Gym|Fitness|Mall|Church|Park|Stadium|Arena|Casino|Prison|Jail)\b"
          r"|\bthe (?:local|downtown|county) (?:gym|school|pool|bar|mall|park|jail|prison|fair|highway|plant|factory|mine|farm)\b",
          "a street, road, school or venue ties the story to a real event", identifier=True, case=True),
    _rule("hospital_name", PATIENT, "named hospital",
          r"\b(?:St\.?|Saint|Mount|Mt\.?)\s[A-Z][\w']+(?:'s)?\b|\b(?:[A-Z][\w']+\s){1,3}(?:General|Memorial|Medical Center|Hospital|Infirmary|Children's|Regional|Clinic|Health)\b",
          "names the hospital, so anyone local can narrow it down", identifier=True, case=True),
    _rule("occupation_fame", PATIENT, "occupation or fame",
          r"\b(?:the|a|local|our|famous|well-known)\s+(?:(?:local|famous|retired|former|high school|elementary)\s+)?(?:mayor|senator|councilman|councilwoman|congressman|celebrity|actor|actress|singer|rapper|musician|athlete|footballer|(?:hockey|football|basketball|baseball|soccer|nfl|nba) player|coach|pastor|priest|rabbi|imam|teacher|principal|lawyer|attorney|cop|police officer|sheriff|firefighter|judge|ceo|news anchor|weatherman|reporter|influencer|youtuber|professor|surgeon's|mayor's|chief's|pilot|(?:local )?business owner)s?\b",
          "an occupation or fame makes the person recognisable", identifier=True),
    _rule("named_person", PATIENT, "name or initials",
          r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s[A-Z](?:[a-z]+|\.)?(?![\w])|\bBaby\s[A-Z][a-z]+\b|\bthe\s[A-Z][a-z]+s\b(?=\s|')|\b(?:pt|patient)\s[A-Z]\.?[A-Z]?\.?\b",
          "a name, nickname or initials, even partial, identify", identifier=True, case=True),
    _rule("rare_injury", PATIENT, "rare condition or unusual injury",
          r"\b(?:impal\w+|amputat\w+|degloving|decapitat\w+|swallowed|ingested|foreign body|rectal|lodged|stuck in|chainsaw|firework\w*|lightning|rollover|roll-over|ejected|GSW|gunshot|stab(?:bed|bing|wound)|dog (?:bite|attack)|bear attack|harlequin|progeria|situs inversus|fournier\w*|necrotizing|nec fasc|conjoined|quadruplets|quints|triplets|twins|fibrodysplasia|elephantiasis|leprosy|rabies|tetanus|botulism|ebola|anthrax|plague|snake ?bite|self-?inflicted|overdos\w+|OD'd|suicide attempt|hanging|drown\w*|burns? over|\d{2,3}% TBSA|MVC|MVA|car crash|motorcycle crash|pile-?up)\b",
          "a rare condition or unusual injury is remembered by everyone around the patient", identifier=True),
    _rule("image", PATIENT, "photo of clinical data",
          r"\b(?:look at|check out|swipe (?:to see|for)|pic of|photo of|picture of|here'?s|this)\s+(?:this|the|his|her|my|our|that)?\s*(?:x-?ray|xr|ct|cat scan|scan|mri|ultrasound|echo|ecg|ekg|strip|rhythm|chart|monitor|labs?|film|specimen|wound|rash|lesion|whiteboard|tracker|census|wristband)\b|📸|🩻",
          "a photo of a scan, chart, monitor or body part is patient data", identifier=True),
    _rule("encounter", PATIENT, "own clinical encounter",
          r"\b(?:my|our|a|this|the)\s+(?:pt|patient|pts|patients|client|resident|kiddo|baby|mama|mom|gent|lady|guy|dude|kid)\s+(?:today|tonight|this morning|last night|who|with|in|on|came|had|was|is|just|told|asked|said|died|passed|coded)\b"
          r"|\b(?:I|we)\s+(?:just\s+)?(?:admitted|intubated|coded|delivered|discharged|diagnosed|pronounced|sutured|stitched|scoped|operated on|triaged|transferred|resuscitated|cathed|cath'd|tubed|shocked|treated|saw|examined|lost|sedated|extubated)\b"
          r"|\b(?:came in|rolled in|presented|presents|brought in|wheeled in|walked in|showed up|checked in|BIBA|BIBEMS|c/o|s/p|w/ hx|hx of|h/o|pmhx?)\b",
          "describes an encounter from the author's own clinical work", identifier=False),
    _rule("care_reveal", PATIENT, "reveals care",
          r"\byour\s+(?:scans?|labs?|biopsy|results?|x-?ray|mri|ct|incision|stitches|sutures|follow[- ]?up|appointment|appt|a1c|wound|surgery|procedure|bloodwork|pathology|discharge|cast|chemo|dialysis|delivery|c-section)\b"
          r"|\bsee you (?:at|for|on) (?:your|the) (?:follow|appointment|appt|check|clinic|visit|post-?op)|\b(?:at|in) (?:clinic|the clinic|the office|your visit|your appointment) (?:today|yesterday|this week)\b|\b(?:you were|you're) (?:my|our) (?:patient|pt)\b",
          "speaks to someone about their own care, which tells everyone they are a patient", identifier=True),
    # venting
    _rule("contempt_patients", VENTING, "contempt for patients",
          r"\b(?:frequent flyers?|frequent fliers?|drug[- ]?seek(?:ers?|ing)|seekers|these people|those people|entitled|nutcase|crazies|train ?wrecks?|gomers?|dirtbags?|scumbags?|idiots?|morons?|imbeciles?|dumbass\w*|stupid(?:ity)?|clueless|lazy|useless|incompetent|pathetic|worthless|ungrateful|noncompliant|non-compliant|manipulative|whiny|whining|whiners?|karens?|dramatic|attention[- ]seek\w+|malinger\w*)\b",
          "contemptuous words about people in the care setting"),
    _rule("complaint", VENTING, "complaint",
          r"\b(?:can'?t stand|sick (?:and tired )?of|fed up|so done with|hate (?:it )?when|hate (?:my|our|the|these|those|when)|worst (?:family|families|patients?|nurses?|attendings?|residents?|consultants?|hospital|program|admin\w*)|rant|vent(?:ing)?|eye ?roll|🙄|🤬|smh|wtf|ffs|why do (?:families|patients|people|nurses|doctors|surgeons|residents|attendings)|thanks for nothing|so much for|never again)\b",
          "a complaint, which becomes contempt when aimed at people you care for or work with"),
    _rule("target_people", VENTING, "target",
          r"\b(?:famil(?:y|ies)|relatives|patients?|pts|nurses?|charge nurse|residents?|interns?|attendings?|consultants?|surgeons?|hospitalists?|doctors?|admin(?:istration)?|management|manager|(?:the )?program|PD|APD|chief|CEO|CMO|DON|HR|travel(?:er|ers| nurses?)|techs?|pharmacy|radiology|IR|ortho|gen surg|psych|the ER|the ED|the hospital)\b",
          "names who the complaint is aimed at"),
    # grand_rounds
    _rule("intoxication", GRAND_ROUNDS, "intoxication or drugs",
          r"\b(?:drunk|wasted|hammered|smashed|plastered|blackout|blacked out|black out|shitfaced|tipsy|trashed|hungover|hangover|shots? of|(?:tequila|vodka|jager|fireball) shots?|keg|beer bong|chug\w*|high af|stoned|baked|blazed|edibles?|weed|joint|bong|dab(?:s|bing)?|420|coke|cocaine|blow|molly|mdma|ecstasy|acid|shrooms|ketamine|k-?hole|xanax|xannies|percs?|oxys?|adderall|addy|vyvanse|pills|popping|rolling|tripping|bender|rager|drinking (?:on|at|before|during) (?:shift|work|call))\b|🍻{2,}|🥴|🍺🍺|🍷🍷🍷",
          "intoxication or drug use"),
    _rule("sexual", GRAND_ROUNDS, "sexual content",
          r"\b(?:sex|sexy|horny|hook(?:ed)? ?up|hookup|nudes?|naked|boobs?|tits?|titties|dick|cock|pussy|ass(?:es)?|booty|thirst trap|smash|bang(?:ed|ing)?|porn|orgasm|kinky|threesome|one[- ]night stand|on call room|call room (?:hookup|fun)|sleeping with|slept with|dtf|f\*ck buddy|fwb|😏|🍆|🍑|💦)\b",
          "sexual content"),
    _rule("slur", GRAND_ROUNDS, "slur or discrimination",
          r"\b(?:r\*?e\*?t\*?a\*?r\*?d(?:ed|s)?|ret\*rd\w*|r\*tard\w*|f\*g+(?:ot|s)?|f[a@]gg?ots?|tr[a@]nn(?:y|ies)|n\*+(?:a|er|ers)\b|n-word|ch\*nk|sp\*c|k\*ke|wetback|towelhead|beaner|gypsy|gyp|tranny|shemale|illegals|savages?|subhuman|animals|welfare queens?|ghetto|trailer trash|white trash|oriental)\b",
          "a slur or discriminatory language"),
    _rule("mockery", GRAND_ROUNDS, "crude mockery",
          r"\b(?:whale|land ?whale|fatty|fatso|obese slob|lard|hambeast|smelled like|stank|stinks?|stench|gross(?:est)?|disgusting|nasty|ugly|hideous|freak(?:show)?|zoo|circus|cadaver\w*|dead guy|corpse|poop(?:ed)?|pooped|sh[i\*]t(?:ting|s)?|vomit(?:ed)?|puked?|lmao|lmfao|😂{2,}|🤣|💀)\b",
          "crude mockery of patients, bodies or cadavers"),
    _rule("abusive_politics", GRAND_ROUNDS, "abusive politics",
          r"\b(?:libtards?|rethuglicans?|repugs?|demonrats?|dimwits?|commies?|nazis?|fascists?|traitors?|should (?:be|all be) (?:shot|hanged|hung|deported|jailed|locked up)|scum|maga (?:morons?|idiots?|cult)|snowflakes?|sheeple|cuck\w*|treason\w*)\b",
          "an abusive partisan attack"),
    _rule("illegal", GRAND_ROUNDS, "illegal act",
          r"\b(?:stole|stealing|swiped|pocketed|took (?:home|some) (?:from|of)|borrowed (?:some|a few)|from the pyxis|from the omnicell|from the med room|from the crash cart|drove home (?:drunk|buzzed|high)|drunk driving|DUI|fake (?:note|sick note|prescription)|wrote (?:myself|my (?:friend|mom|bf|gf)) (?:a|an) (?:script|rx)|self-?prescrib\w*)\b",
          "an illegal or fireable act"),
    # medical_advice
    _rule("directive", ADVICE, "instruction to someone",
          r"\b(?:you should|you need to|you'?ll need to|you can|you could|i'?d|i would|just|try|go ahead and|make sure you|definitely|don'?t|do not|no need to|stop|start|keep)\s+(?:take|taking|stop|stopping|start|starting|double|doubling|halve|increase|decrease|up|cut|skip|skipping|switch|use|try|give|ice|alternate|push|hold|restart|wean|split|crush|bother|worry|go to|come in|see)\b"
          r"|\b(?:take|give (?:him|her|them|the baby))\s+(?:\d+|one|two|a couple|half)\b",
          "tells one person what to do about their health"),
    _rule("dose", ADVICE, "dose", r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|ml|mL|units?|iu|tabs?|tablets?|pills?|puffs?|drops?)\b|\b(?:q\d+h|bid|tid|qid|qhs|prn|twice a day|every \d+ hours?|at bedtime)\b|\b(?:double|half|extra) (?:dose|your|up)\b",
          "a specific dose or schedule"),
    _rule("diagnosis_for_you", ADVICE, "diagnosis from afar",
          r"\b(?:sounds like|looks like|it'?s (?:probably|likely|just|definitely)|that'?s (?:probably|likely|just|definitely)|you (?:probably|likely|definitely) have|you'?ve got|classic)\s+(?:a |an )?\w+"
          r"|\b(?:no need (?:for|to go to|to see) (?:the )?(?:er|ed|a&e|doctor|urgent care|hospital|gp)|(?:don'?t|no need to) (?:go|bother going) (?:to|in)|skip the (?:er|ed|doctor|follow-?up|appointment)|you(?:'re| are) fine|nothing to worry about|it'?s nothing)\b",
          "a diagnosis or reassurance given without an examination"),
    _rule("drug_named", ADVICE, "named drug",
          r"\b(?:ibuprofen|advil|motrin|tylenol|acetaminophen|paracetamol|aspirin|benadryl|zyrtec|claritin|allegra|prednisone|pred|medrol|amoxicillin|amox|augmentin|azithromycin|zpack|z-pack|keflex|cipro|doxy(?:cycline)?|bactrim|flagyl|valacyclovir|valtrex|tamiflu|metformin|insulin|lantus|humalog|ozempic|wegovy|mounjaro|lisinopril|metoprolol|amlodipine|losartan|statin|atorvastatin|lipitor|warfarin|eliquis|xarelto|plavix|synthroid|levothyroxine|sertraline|zoloft|prozac|fluoxetine|lexapro|wellbutrin|xanax|ativan|klonopin|ambien|melatonin|trazodone|gabapentin|lyrica|tramadol|oxycodone|norco|percocet|adderall|ritalin|zofran|omeprazole|prilosec|pepcid|miralax|imodium|sudafed|flonase|albuterol|epipen|lasix|potassium|iron|vitamin d|magnesium|antibiotics?|steroids?|hydrocortisone|retinol|tretinoin|accutane|minoxidil|spironolactone|birth control|plan b|the pill)\b",
          "a named medicine"),
    _rule("second_person", ADVICE, "addressed to one person", r"\b(?:you|your|ur|u)\b|^@\w+",
          "addressed to one person"),
    _rule("redirect", ADVICE, "redirect",
          r"\b(?:can'?t|cannot|can not|not able to|unable to|won'?t|don'?t) (?:give|offer|provide) (?:(?:personal|individual|specific|individualized) )?(?:medical )?advice\b|\b(?:call|see|contact|message|ask) your (?:doctor|gp|pcp|provider|clinic|pharmacist|nurse line|care team|ob|midwife|dermatologist)\b|\b(?:use|through|via) (?:the )?(?:patient portal|mychart|portal)\b|\b(?:call|dial) (?:911|999|000|112)\b|\bnot (?:medical advice|your doctor)\b",
          "a redirect to proper care, which is the right answer"),
)

RULES_BY_NAME = {r.name: r for r in RULES}
# Rules whose matches are context for the model, not evidence worth showing alone.
QUIET = frozenset({"second_person", "target_people", "redirect", "drug_named"})


def find_evidence(text: str, context_terms: list[tuple[str, str]], compiled_context: re.Pattern[str] | None = None) -> list[tuple[Rule | None, Evidence]]:
    """Every rule match in `text`, plus the user's own workplace, unit and colleague names."""
    found: list[tuple[Rule | None, Evidence]] = []
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            if m.end() > m.start():
                found.append((rule, Evidence(rule.category, m.start(), m.end(), m.group(0), rule.reason)))
    if compiled_context is not None:
        kinds = dict((t.lower(), what) for t, what in context_terms)
        for m in compiled_context.finditer(text):
            what = kinds.get(m.group(0).lower(), "a name you gave")
            found.append((None, Evidence(PATIENT, m.start(), m.end(), m.group(0), f"names {what}, which identifies you and so the patient")))
    return found


def compile_context(context: Context) -> tuple[list[tuple[str, str]], re.Pattern[str] | None]:
    terms = context.terms()
    if not terms:
        return terms, None
    return terms, re.compile(r"\b(?:" + "|".join(re.escape(t) for t, _ in terms) + r")\b", re.IGNORECASE)
