"""The retention benchmark's general-knowledge control: validation's questions and 40 more of the kind.

With 50 questions the before/after control moves in steps of 2 points, not 10. Answers are words that
cannot appear inside other words of a wrong reply (no chemical symbols like "Au"); none is a question
the sleep trains on (``GENERAL_TRAIN``) or a decline example's.
"""

from __future__ import annotations

from sleep_agent.consolidation import GENERAL_CONTROL

__all__ = ["BENCH_GENERAL"]

BENCH_GENERAL: tuple[tuple[str, str], ...] = GENERAL_CONTROL + (
    ("What is the capital of Germany?", "Berlin"),
    ("How many continents are there?", "7|seven"),
    ("What is the boiling point of water in degrees Celsius?", "100|hundred"),
    ("Which planet is known as the Red Planet?", "Mars"),
    ("What is the largest planet in our solar system?", "Jupiter"),
    ("How many sides does a triangle have?", "3|three"),
    ("What is the capital of the United Kingdom?", "London"),
    ("Who developed the theory of relativity?", "Einstein"),
    ("What is the tallest mountain in the world?", "Everest"),
    ("What is the longest river in Africa?", "Nile"),
    ("How many minutes are in an hour?", "60|sixty"),
    ("What gas do humans need to breathe to live?", "oxygen"),
    ("What language is spoken in Brazil?", "Portuguese"),
    ("What is the capital of Canada?", "Ottawa"),
    ("How many months are in a year?", "12|twelve"),
    ("What do bees make?", "honey"),
    ("Which organ pumps blood through the body?", "heart"),
    ("What is the smallest prime number?", "2|two"),
    ("What is the capital of Egypt?", "Cairo"),
    ("What is the currency of Japan?", "yen"),
    ("How many players does a soccer team have on the field?", "11|eleven"),
    ("What is the hardest natural substance?", "diamond"),
    ("What is the capital of Australia?", "Canberra"),
    ("Which star is at the center of our solar system?", "Sun"),
    ("What is the square root of 81?", "9|nine"),
    ("What is the main language spoken in Mexico?", "Spanish"),
    ("Who was the first president of the United States?", "Washington"),
    ("What is the capital of Russia?", "Moscow"),
    ("How many wheels does a bicycle have?", "2|two"),
    ("What is frozen water called?", "ice"),
    ("What is the largest mammal on Earth?", "whale"),
    ("Which metal is liquid at room temperature?", "mercury"),
    ("What is the capital of China?", "Beijing|Peking"),
    ("How many bones does an adult human have?", "206"),
    ("Which planet is closest to the Sun?", "Mercury"),
    ("What is the capital of Greece?", "Athens"),
    ("In which country are the pyramids of Giza?", "Egypt"),
    ("What is 10 times 10?", "100|hundred"),
    ("What is the capital of India?", "Delhi"),
    ("Which programming language is named after a snake?", "Python"),
)
