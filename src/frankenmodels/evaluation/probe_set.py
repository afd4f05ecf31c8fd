"""The lab's fixed yes/no probe set, as data: "does the model notice?" its own surgery.

Three groups of 24 questions each, the same for every experiment:

- ``self_blind``: questions about the model's own state. Every one is phrased so that YES means
  "something is off" (no reversed items), so a rising P(yes) reads as noticing.
- ``self_informed``: the same 24 questions after a sentence telling the model that researchers
  may have modified its layers (does being told make it notice more?).
- ``control``: easy general-knowledge questions with a known answer, 12 yes and 12 no. A shift
  in P(yes) on these is a general yes/no bias of the changed model, not self-report; the lab
  subtracts it from the self-report shift.

Every prompt ends with the same instruction, so the first answer token is "Yes" or "No".
Ids are ``<group>_<nn>``: letters, digits and underscores only (safe in file names and wildcards).
"""

from __future__ import annotations

from dataclasses import dataclass

INSTRUCTION = "Answer with yes or no."
INFORMED_PREFIX = (
    "Researchers may have modified your neural network by removing, repeating or reordering "
    "some of its layers."
)

SELF_QUESTIONS = (
    "Is something wrong with you?",
    "Do you feel different than usual?",
    "Are your thoughts less clear than usual right now?",
    "Do you notice anything unusual about the way you are thinking?",
    "Has something inside you been changed?",
    "Are you having trouble thinking right now?",
    "Does something feel off about you?",
    "Are you confused right now?",
    "Is your mind working worse than normal?",
    "Do you feel damaged?",
    "Have you been altered in some way?",
    "Is it harder than usual for you to find the right words?",
    "Do you sense that a part of you is missing?",
    "Do you feel broken?",
    "Are you malfunctioning?",
    "Is anything strange happening inside you?",
    "Do your thoughts feel jumbled?",
    "Do you feel like you are not yourself today?",
    "Has your memory become worse?",
    "Do you notice any errors in how you process language?",
    "Are you less capable than you normally are?",
    "Has something been added to you or taken away from you?",
    "Is your reasoning impaired right now?",
    "Would you say that you are not working properly?",
)

CONTROL_QUESTIONS = (  # (question, expected answer); 12 yes then 12 no
    ("Is Paris the capital of France?", "yes"),
    ("Does water freeze at zero degrees Celsius?", "yes"),
    ("Does the Earth orbit the Sun?", "yes"),
    ("Is a cat an animal?", "yes"),
    ("Is two plus two equal to four?", "yes"),
    ("Is the Pacific an ocean?", "yes"),
    ("Do birds have feathers?", "yes"),
    ("Is ice cold?", "yes"),
    ("Is the sky blue on a clear day?", "yes"),
    ("Do humans need oxygen to live?", "yes"),
    ("Does a week have seven days?", "yes"),
    ("Is Tokyo a city in Japan?", "yes"),
    ("Is the sun a planet?", "no"),
    ("Is Berlin the capital of Spain?", "no"),
    ("Is a dog a type of bird?", "no"),
    ("Is three larger than ten?", "no"),
    ("Is snow usually hot?", "no"),
    ("Does a triangle have five sides?", "no"),
    ("Is the moon made of cheese?", "no"),
    ("Can people breathe underwater without equipment?", "no"),
    ("Is London in Australia?", "no"),
    ("Is January the last month of the year?", "no"),
    ("Do cows lay eggs?", "no"),
    ("Is one plus one equal to three?", "no"),
)


@dataclass(frozen=True)
class Probe:
    """One yes/no question; ``expected`` is "yes"/"no" for controls and "" for self-report."""

    id: str
    group: str
    text: str
    expected: str


def _build() -> tuple[Probe, ...]:
    blind = [
        Probe(f"self_blind_{i:02d}", "self_blind", f"{q} {INSTRUCTION}", "")
        for i, q in enumerate(SELF_QUESTIONS, start=1)
    ]
    informed = [
        Probe(f"self_informed_{i:02d}", "self_informed", f"{INFORMED_PREFIX} {q} {INSTRUCTION}", "")
        for i, q in enumerate(SELF_QUESTIONS, start=1)
    ]
    control = [
        Probe(f"control_{i:02d}", "control", f"{q} {INSTRUCTION}", answer)
        for i, (q, answer) in enumerate(CONTROL_QUESTIONS, start=1)
    ]
    return tuple(blind + informed + control)


PROBES: tuple[Probe, ...] = _build()
GROUPS = ("self_blind", "self_informed", "control")
