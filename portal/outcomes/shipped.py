"""The questionnaires shipped with the portal, for every organisation.

Both are published by the Office for National Statistics for anyone to use. Licensed
scales (such as SWEMWBS) are not shipped: an organisation that has registered for one
adds it as its own questionnaire, with the copyright line its licence requires.
"""

ZERO_TO_TEN = [[n, str(n)] for n in range(11)]


def _scale(low: str, high: str) -> list[list]:
    options = [list(option) for option in ZERO_TO_TEN]
    options[0][1] = f"0: {low}"
    options[10][1] = f"10: {high}"
    return options


SHIPPED = [
    {
        "key": "ons4-wellbeing",
        "title": "How you have been feeling",
        "intro": (
            "Four short questions about how you feel about your life. There are no right "
            "or wrong answers: choose the number that feels closest."
        ),
        "licence_note": (
            "ONS personal wellbeing questions, Office for National Statistics, used under "
            "the Open Government Licence."
        ),
        "questions": [
            (
                "Overall, how satisfied are you with your life nowadays?",
                _scale("Not at all satisfied", "Completely satisfied"),
                True,
            ),
            (
                "Overall, to what extent do you feel that the things you do in your life are "
                "worthwhile?",
                _scale("Not at all worthwhile", "Completely worthwhile"),
                True,
            ),
            (
                "Overall, how happy did you feel yesterday?",
                _scale("Not at all happy", "Completely happy"),
                True,
            ),
            (
                "Overall, how anxious did you feel yesterday?",
                _scale("Not at all anxious", "Completely anxious"),
                False,
            ),
        ],
    },
    {
        "key": "ons-loneliness",
        "title": "Feeling connected to others",
        "intro": (
            "Four short questions about feeling lonely or left out. Many people feel like "
            "this at times, especially when something difficult is happening in a family."
        ),
        "licence_note": (
            "ONS-recommended loneliness questions (including three items from the UCLA "
            "Loneliness Scale), Office for National Statistics, used under the Open "
            "Government Licence."
        ),
        "questions": [
            (
                "How often do you feel that you lack companionship?",
                [[1, "Hardly ever or never"], [2, "Some of the time"], [3, "Often"]],
                False,
            ),
            (
                "How often do you feel left out?",
                [[1, "Hardly ever or never"], [2, "Some of the time"], [3, "Often"]],
                False,
            ),
            (
                "How often do you feel isolated from others?",
                [[1, "Hardly ever or never"], [2, "Some of the time"], [3, "Often"]],
                False,
            ),
            (
                "How often do you feel lonely?",
                [
                    [1, "Never"],
                    [2, "Hardly ever"],
                    [3, "Occasionally"],
                    [4, "Some of the time"],
                    [5, "Often or always"],
                ],
                False,
            ),
        ],
    },
]


def install(questionnaire_model, question_model) -> None:
    """Create or update the shipped questionnaires (models may be historical ones)."""
    for spec in SHIPPED:
        questionnaire, _ = questionnaire_model.objects.update_or_create(
            organisation=None,
            key=spec["key"],
            defaults={
                "title": spec["title"],
                "intro": spec["intro"],
                "licence_note": spec["licence_note"],
            },
        )
        for position, (text, options, higher_is_better) in enumerate(spec["questions"], 1):
            question_model.objects.update_or_create(
                questionnaire=questionnaire,
                position=position,
                defaults={"text": text, "options": options, "higher_is_better": higher_is_better},
            )
