"""``/help``: what the bot can do, generated from the registry itself."""

from __future__ import annotations

from coachbot.i18n import Lang, Localized
from coachbot.registry import CommandSpec, Option, Registry, command
from coachbot.reply import Field, Fields, Reply, Text
from coachbot.services import Context

INTRO = Localized(
    "coachbot répond à vos questions sur le métier de CTO (directeur technique), suit votre "
    "progression et vous envoie un conseil par jour. Tapez une commande, par exemple "
    "`/cto salary region:paris level:expert` ou `/cto ask question:que fait un CTO ?`.",
    "coachbot answers your questions about the CTO job (technical director), tracks your "
    "progress and sends you one tip a day. Type a command, for example "
    "`/cto salary region:paris level:expert` or `/cto ask question:what does a CTO do?`.",
)


@command(
    None,
    "help",
    description=Localized(
        "Aide : les commandes et leur usage", "Help: the commands and how to use them"
    ),
    options=[
        Option(
            "command",
            Localized("Une commande, par ex. « cto salary »", 'A command, e.g. "cto salary"'),
            max_length=64,
            rest=True,
        )
    ],
)
async def help_(ctx: Context, command: str | None) -> Reply:
    """The list of commands, or one command's usage and options."""
    registry: Registry = ctx.services.extras["registry"]
    if command:
        spec = registry.get(tuple(command.strip().lstrip("/").split()))
        if spec is not None:
            return command_help(spec, ctx.lang)
        group = registry.in_group(command.strip().lstrip("/"))
        if group:
            return group_help(registry, group[0].group or "", ctx.lang)
    return overview(registry, ctx.lang)


def overview(registry: Registry, lang: Lang) -> Reply:
    """Every group with its subcommands."""
    fields = [
        Field(
            f"/{g.name} — {g.description.get(lang)}",
            " · ".join(f"`{c.name}`" for c in registry.in_group(g.name)),
        )
        for g in registry.groups.values()
    ]
    fields += [Field(f"/{c.name}", c.description.get(lang)) for c in registry.top_level()]
    more = Localized(
        "Détail d'une commande : `/help command:cto salary`.",
        "Details of one command: `/help command:cto salary`.",
    )
    return Reply(
        title="coachbot",
        blocks=(Text(INTRO.get(lang)), Fields(tuple(fields)), Text(more.get(lang))),
        ephemeral=True,
    )


def group_help(registry: Registry, group: str, lang: Lang) -> Reply:
    """The subcommands of one group with their descriptions."""
    fields = tuple(
        Field(f"`{c.usage(lang)}`", c.description.get(lang)) for c in registry.in_group(group)
    )
    return Reply(title=f"/{group}", blocks=(Fields(fields),), ephemeral=True)


def command_help(spec: CommandSpec, lang: Lang) -> Reply:
    """One command: description, usage, options."""
    fields = tuple(_option_field(o, lang) for o in spec.options)
    blocks: tuple = (Text(f"{spec.description.get(lang)}\n\n`{spec.usage(lang)}`"),)
    if fields:
        blocks += (Fields(fields),)
    return Reply(title=f"/{spec.qualified_name}", blocks=blocks, ephemeral=True)


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
    return Field(f"{opt.name} ({required.get(lang)})", opt.description.get(lang) + values)
