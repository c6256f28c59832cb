"""``/help``: what the bot can do, generated from the registry itself.

Every command and option shows under its name in the reader's language (``/aide``,
``/cto salaire``) and as the reader's platform shows it (``/coach-server`` on Discord,
which lifts admin subcommands), and ``/help command:...`` takes a command in either
language and either form, with autocomplete.
"""

from __future__ import annotations

from coachbot.i18n import Lang, Localized
from coachbot.knowledge.retrieval import fold
from coachbot.registry import CommandSpec, Option, Registry, command
from coachbot.reply import Field, Fields, Reply, Text
from coachbot.services import Context

INTRO = Localized(
    "coachbot répond à vos questions sur le métier de CTO (directeur technique), suit votre "
    "progression et vous envoie un conseil par jour. Tapez une commande, par exemple "
    "`/cto salaire region:paris niveau:expert` ou `/cto demander question:que fait un CTO ?`.",
    "coachbot answers your questions about the CTO job (technical director), tracks your "
    "progress and sends you one tip a day. Type a command, for example "
    "`/cto salary region:paris level:expert` or `/cto ask question:what does a CTO do?`.",
)


@command(
    None,
    "help",
    name_fr="aide",
    description=Localized(
        "Aide : les commandes et leur usage", "Help: the commands and how to use them"
    ),
    options=[
        Option(
            "command",
            Localized("Une commande, par ex. « cto salaire »", 'A command, e.g. "cto salary"'),
            max_length=64,
            vocabulary="command",
            rest=True,
            name_fr="commande",
        )
    ],
)
async def help_(ctx: Context, command: str | None) -> Reply:
    """The list of commands, or one command's usage and options."""
    registry = ctx.services.registry
    flat = ctx.flat_admin
    if command:
        path = registry.canonical([fold(w) for w in command.strip().lstrip("/").split()])
        spec = registry.get(path)
        if spec is not None:
            return command_help(spec, ctx.lang, flat_admin=flat)
        if len(path) == 1 and registry.in_group(path[0]):
            return group_help(registry, path[0], ctx.lang, flat_admin=flat)
    return overview(registry, ctx.lang, flat_admin=flat)


def overview(registry: Registry, lang: Lang, *, flat_admin: bool = False) -> Reply:
    """Every group with its subcommands, then the top-level commands (with ``flat_admin``,
    the lifted admin subcommands among them)."""
    fields = []
    for g in registry.groups.values():
        members = [c for c in registry.in_group(g.name) if not (flat_admin and c.admin)]
        if members:
            names = " · ".join(f"`{c.name_in(lang)}`" for c in members)
            fields.append(Field(f"/{g.name_in(lang)} — {g.description.get(lang)}", names))
    fields += [
        Field(f"/{c.qualified_name_in(lang, flat_admin=flat_admin)}", c.description.get(lang))
        for c in registry
        if c.group is None or (flat_admin and c.admin)
    ]
    more = Localized(
        "Détail d'une commande : `/aide commande:cto salaire`.",
        "Details of one command: `/help command:cto salary`.",
    )
    return Reply(
        title="coachbot",
        blocks=(Text(INTRO.get(lang)), Fields(tuple(fields)), Text(more.get(lang))),
        ephemeral=True,
    )


def group_help(registry: Registry, group: str, lang: Lang, *, flat_admin: bool = False) -> Reply:
    """The subcommands of one group with their descriptions."""
    fields = tuple(
        Field(f"`{c.usage(lang, flat_admin=flat_admin)}`", c.description.get(lang))
        for c in registry.in_group(group)
    )
    title = f"/{registry.groups[group].name_in(lang)}"
    return Reply(title=title, blocks=(Fields(fields),), ephemeral=True)


def command_help(spec: CommandSpec, lang: Lang, *, flat_admin: bool = False) -> Reply:
    """One command: description, usage, options."""
    fields = tuple(_option_field(o, lang) for o in spec.options)
    usage = spec.usage(lang, flat_admin=flat_admin)
    blocks: tuple = (Text(f"{spec.description.get(lang)}\n\n`{usage}`"),)
    if fields:
        blocks += (Fields(fields),)
    title = f"/{spec.qualified_name_in(lang, flat_admin=flat_admin)}"
    return Reply(title=title, blocks=blocks, ephemeral=True)


def _option_field(opt: Option, lang: Lang) -> Field:
    required = (
        Localized("obligatoire", "required")
        if opt.required
        else Localized("facultatif", "optional")
    )
    values = ""
    if opt.choices:
        values = " — " + ", ".join(f"`{c.value}`" for c in opt.choices)
    elif opt.min_value is not None and opt.max_value is not None:
        values = f" — {opt.min_value}–{opt.max_value}"
    return Field(f"{opt.name_in(lang)} ({required.get(lang)})", opt.description.get(lang) + values)
