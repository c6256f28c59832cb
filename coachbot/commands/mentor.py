"""``/mentor``: a learner asks someone to follow them; with the learner's consent, the mentor
views their progress, leaves notes, sets goals and may get alerts.

The handlers live in ``coachbot.mentors.flows``, imported on first use so that
``coachbot ask`` loads no database library.
"""

from __future__ import annotations

from coachbot.i18n import Localized
from coachbot.mentors import MAX_NOTE
from coachbot.registry import Group, Option, OptionType, action, command
from coachbot.reply import Reply
from coachbot.services import Context

GROUP = Group(
    "mentor",
    Localized(
        "Mentorat : se faire suivre, suivre un apprenant",
        "Mentoring: be followed, follow a learner",
    ),
    name_fr="mentor",
)


def _user(fr: str, en: str) -> Option:
    return Option(
        "user", Localized(fr, en), type=OptionType.USER, required=True, name_fr="utilisateur"
    )


LEARNER = _user("L'apprenant (@nom)", "The learner (@name)")


@command(
    "mentor",
    "request",
    name_fr="demander",
    description=Localized(
        "Demander à quelqu'un d'être votre mentor", "Ask someone to be your mentor"
    ),
    options=[_user("Votre futur mentor (@nom)", "Your future mentor (@name)")],
    personal=True,
    saves=True,
)
async def request(ctx: Context, user: str) -> Reply:
    """The learner asks ``user`` to mentor them; the reply is the same whoever ``user`` is."""
    from coachbot.mentors import flows

    return await flows.request(ctx, user)


@command(
    "mentor",
    "accept",
    name_fr="accepter",
    description=Localized(
        "Accepter de suivre un apprenant qui vous l'a demandé",
        "Agree to mentor a learner who asked you",
    ),
    options=[LEARNER],
    personal=True,
    saves=True,
)
async def accept(ctx: Context, user: str) -> Reply:
    """The mentor accepts a pending request: the link becomes active."""
    from coachbot.mentors import flows

    return await flows.answer(ctx, user, accept=True)


@command(
    "mentor",
    "decline",
    name_fr="refuser",
    description=Localized("Refuser la demande d'un apprenant", "Decline a learner's request"),
    options=[LEARNER],
    personal=True,
    saves=True,
)
async def decline(ctx: Context, user: str) -> Reply:
    """The mentor declines a pending request."""
    from coachbot.mentors import flows

    return await flows.answer(ctx, user, accept=False)


@action("mentor")
async def answer_button(ctx: Context, payload: str) -> Reply:
    """The Accept / Decline buttons of ``/mentor list`` (``accept:<user>``, ``decline:<user>``)."""
    from coachbot.mentors import flows

    return await flows.answer_button(ctx, payload)


@command(
    "mentor",
    "end",
    name_fr="terminer",
    description=Localized(
        "Finir un lien de mentorat (d'un côté ou de l'autre)", "End a mentoring link (either side)"
    ),
    options=[_user("Votre mentor ou apprenant (@nom)", "Your mentor or learner (@name)")],
    personal=True,
    saves=True,
)
async def end(ctx: Context, user: str) -> Reply:
    """End the link with ``user``, whichever side the caller is on."""
    from coachbot.mentors import flows

    return await flows.end(ctx, user)


@command(
    "mentor",
    "view",
    name_fr="voir",
    description=Localized(
        "Voir la progression d'un apprenant que vous suivez",
        "See the progress of a learner you mentor",
    ),
    options=[LEARNER],
    personal=True,
    slow=True,
)
async def view(ctx: Context, user: str) -> Reply:
    """The learner's ``/progress show``, to their active mentor only."""
    from coachbot.mentors import flows

    return await flows.view(ctx, user)


@command(
    "mentor",
    "note",
    name_fr="note",
    description=Localized(
        "Laisser une note à un apprenant (il la verra à son prochain /progression voir)",
        "Leave a learner a note (they see it on their next /progress show)",
    ),
    options=[
        LEARNER,
        Option(
            "text",
            Localized(
                f"Votre note, {MAX_NOTE} caractères au plus",
                f"Your note, up to {MAX_NOTE} characters",
            ),
            required=True,
            max_length=MAX_NOTE,
            rest=True,
            name_fr="texte",
            hint=Localized("texte", "text"),
        ),
    ],
    personal=True,
    saves=True,
)
async def note(ctx: Context, user: str, text: str) -> Reply:
    """Store a note for the learner, as written."""
    from coachbot.mentors import flows

    return await flows.note(ctx, user, text)


@command(
    "mentor",
    "focus",
    name_fr="objectif",
    description=Localized(
        "Fixer un objectif à un apprenant (compétence et niveau visé)",
        "Set a learner a goal (skill and target level)",
    ),
    options=[
        LEARNER,
        Option(
            "skill",
            Localized("La compétence", "The skill"),
            required=True,
            vocabulary="skill",
            name_fr="competence",
        ),
        Option(
            "level",
            Localized("Le niveau visé (1 à 5)", "The target level (1 to 5)"),
            type=OptionType.INTEGER,
            required=True,
            min_value=1,
            max_value=5,
            name_fr="niveau",
        ),
    ],
    personal=True,
    saves=True,
)
async def focus(ctx: Context, user: str, skill: str, level: int) -> Reply:
    """Give the learner a goal marked as set by the mentor."""
    from coachbot.mentors import flows

    return await flows.focus(ctx, user, skill, level)


@command(
    "mentor",
    "alerts",
    name_fr="alertes",
    description=Localized(
        "Alertes sur un apprenant : série rompue, rien consigné depuis N jours, note en baisse",
        "Alerts about a learner: streak broken, nothing logged for N days, rating down",
    ),
    options=[
        LEARNER,
        Option(
            "on",
            Localized("Activer (oui) ou non", "On (true) or off"),
            type=OptionType.BOOLEAN,
            name_fr="actif",
        ),
        Option(
            "days",
            Localized(
                "Jours sans preuve avant une alerte (1 à 60)",
                "Days without evidence before an alert (1 to 60)",
            ),
            type=OptionType.INTEGER,
            min_value=1,
            max_value=60,
            name_fr="jours",
        ),
    ],
    personal=True,
    saves=True,
)
async def alerts(ctx: Context, user: str, on: bool | None, days: int | None) -> Reply:
    """Opt in or out of alerts about one mentee, or show the current choice."""
    from coachbot.mentors import flows

    return await flows.alerts(ctx, user, on, days)


@command(
    "mentor",
    "list",
    name_fr="liste",
    description=Localized(
        "Vos mentors, vos apprenants et les demandes en attente",
        "Your mentors, your mentees and pending requests",
    ),
    personal=True,
)
async def list_(ctx: Context) -> Reply:
    """The caller's links on both sides, with buttons to answer requests."""
    from coachbot.mentors import flows

    return await flows.list_links(ctx)
