"""``/progress``: self-ratings, evidence, goals, the overview with its radar, history, report,
and the choice of the mentor notes the report holds.

The tracker modules touch the database (and charts touch matplotlib), so each
handler imports what it needs when it runs: ``coachbot ask`` loads this module to
build the registry and must stay free of SQLModel and matplotlib.
"""

from __future__ import annotations

from coachbot.i18n import Localized
from coachbot.registry import Group, Option, OptionType, action, command
from coachbot.reply import Reply
from coachbot.services import Context

GROUP = Group(
    "progress",
    Localized("Votre progression vers le poste de CTO", "Your progress towards the CTO role"),
    name_fr="progression",
)
NOTE_LIMIT = 500


def _skill(required: bool = True) -> Option:
    return Option(
        "skill",
        Localized(
            "Une compétence : id ou nom, en français ou en anglais",
            "A skill: id or name, in French or English",
        ),
        required=required,
        vocabulary="skill",
        name_fr="competence",
    )


def _level(minimum: int, description: Localized) -> Option:
    return Option(
        "level",
        description,
        type=OptionType.INTEGER,
        required=True,
        min_value=minimum,
        max_value=5,
        name_fr="niveau",
    )


@command(
    "progress",
    "rate",
    name_fr="noter",
    description=Localized(
        "Vous évaluer sur une compétence (0 à 5)", "Rate yourself on a skill (0 to 5)"
    ),
    options=[
        _skill(),
        _level(0, Localized("Votre niveau, de 0 à 5", "Your level, from 0 to 5")),
    ],
    personal=True,
    saves=True,
)
async def rate(ctx: Context, skill: str, level: int) -> Reply:
    """Record a self-rating; earlier ones are kept as history."""
    from coachbot.tracker.record import rate as record_rate

    return await record_rate(ctx.services, ctx.person, ctx.lang, skill=skill, level=level)


@command(
    "progress",
    "log",
    name_fr="consigner",
    description=Localized(
        "Consigner une preuve : ce que vous avez fait", "Log evidence: something you did"
    ),
    options=[
        _skill(),
        Option(
            "note",
            Localized(
                f"Ce que vous avez fait ({NOTE_LIMIT} caractères au plus)",
                f"What you did (at most {NOTE_LIMIT} characters)",
            ),
            required=True,
            max_length=NOTE_LIMIT,
            rest=True,
            name_fr="note",
            hint=Localized("texte", "text"),
        ),
    ],
    personal=True,
    saves=True,
)
async def log(ctx: Context, skill: str, note: str) -> Reply:
    """Record an evidence note; it also counts the day for the streak."""
    from coachbot.tracker.record import log as record_log

    return await record_log(ctx.services, ctx.person, ctx.lang, skill=skill, note=note)


@command(
    "progress",
    "goal",
    name_fr="objectif",
    description=Localized(
        "Choisir une compétence à travailler et son niveau cible",
        "Choose a skill to work on and its target level",
    ),
    options=[_skill(), _level(1, Localized("Niveau visé, de 1 à 5", "Target level, 1 to 5"))],
    personal=True,
    saves=True,
)
async def goal(ctx: Context, skill: str, level: int) -> Reply:
    """Set the focus skill and its target."""
    from coachbot.tracker.record import goal as record_goal

    return await record_goal(ctx.services, ctx.person, ctx.lang, skill=skill, level=level)


@command(
    "progress",
    "show",
    name_fr="voir",
    description=Localized(
        "Votre préparation CTO, votre série, vos dernières entrées et le radar",
        "Your CTO readiness, streak, last entries and radar chart",
    ),
    options=[
        Option(
            "chart",
            Localized("Joindre le radar (oui par défaut)", "Attach the radar chart (default yes)"),
            type=OptionType.BOOLEAN,
            name_fr="graphique",
        )
    ],
    personal=True,
    slow=True,  # a fresh radar chart can take a few hundred milliseconds
)
async def show(ctx: Context, chart: bool | None) -> Reply:
    """The overview; mentor notes not seen yet are delivered here."""
    from coachbot.tracker.show import progress_overview

    return await progress_overview(ctx.services, ctx.person, ctx.lang, chart=chart is not False)


@command(
    "progress",
    "history",
    name_fr="historique",
    description=Localized("Une compétence dans le temps", "One skill over time"),
    options=[_skill()],
    personal=True,
    slow=True,  # draws a chart
)
async def history(ctx: Context, skill: str) -> Reply:
    """The chart of one skill's ratings over time."""
    from coachbot.tracker.history import skill_history

    return await skill_history(ctx.services, ctx.person, ctx.lang, skill)


@command(
    "progress",
    "report",
    name_fr="rapport",
    description=Localized(
        "Votre portfolio de préparation CTO (Markdown)",
        "Your CTO-readiness portfolio (Markdown)",
    ),
    options=[
        Option(
            "mentor_notes",
            Localized(
                "Tous les mots de mentors (oui) ou aucun (non) ; sinon ceux choisis avec "
                "/progression notes",
                "All mentor notes (true) or none (false); otherwise those chosen with "
                "/progress notes",
            ),
            type=OptionType.BOOLEAN,
            name_fr="notes_mentors",
        )
    ],
    personal=True,
)
async def report(ctx: Context, mentor_notes: bool | None) -> Reply:
    """A Markdown document to share: readiness, ratings over time, evidence, chosen notes."""
    from coachbot.tracker.report import progress_report

    return await progress_report(ctx.services, ctx.person, ctx.lang, mentor_notes=mentor_notes)


@command(
    "progress",
    "notes",
    name_fr="notes",
    description=Localized(
        "Les mots de vos mentors : choisir ceux qui vont dans votre rapport",
        "Your mentors' notes: choose those that go in your report",
    ),
    options=[
        Option(
            "page",
            Localized("Page, 1 pour les plus récents", "Page, 1 for the newest"),
            type=OptionType.INTEGER,
            min_value=1,
            max_value=1000,
            name_fr="page",
        )
    ],
    personal=True,
)
async def notes(ctx: Context, page: int | None) -> Reply:
    """The notes received, numbered, each with a button to include it in the report or not."""
    from coachbot.tracker.report_notes import list_notes

    return await list_notes(ctx.services, ctx.person, ctx.lang, page or 1)


@action("report_note")
async def choose_note(ctx: Context, payload: str) -> Reply:
    """The Include / Exclude buttons of ``/progress notes``: only the learner's own notes."""
    from coachbot.tracker.report_notes import choose

    return await choose(ctx.services, ctx.person, ctx.lang, payload)
