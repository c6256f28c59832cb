"""From an invocation (who, which command, raw option values) to a Reply.

Adapters translate their platform's payload into an ``Invocation`` and render the
``Reply`` they get back; everything in between (language, option parsing, errors)
happens here, once, for every platform.
"""

from __future__ import annotations

import keyword
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace

from coachbot.errors import BadInput, blame
from coachbot.i18n import Lang, Localized, parse_lang
from coachbot.identity import PersonRef
from coachbot.knowledge.retrieval import fold
from coachbot.markup import echo, neutralize
from coachbot.observe import CommandScope, watch_command
from coachbot.registry import ActionSpec, CommandSpec, Option, OptionType, Registry
from coachbot.reply import Reply, error
from coachbot.services import ChannelCheck, Context, Services
from coachbot.userref import parse_user_ref
from coachbot.vocabularies import CommandVocabulary, Suggestion

log = logging.getLogger(__name__)
NoticeProvider = Callable[[Context], Awaitable[list[str]]]
TRUE = {"true", "yes", "oui", "1", "on", "y", "o"}
FALSE = {"false", "no", "non", "0", "off", "n"}


@dataclass(frozen=True)
class Invocation:
    """A command call as the core sees it: plain ids and raw values."""

    person: PersonRef
    path: tuple[str, ...]
    args: Mapping[str, object] = field(default_factory=dict)
    locale: str | None = None
    channel: str | None = None
    is_admin: bool = False
    mentions_only: bool = False  # user options must be platform mentions, not typed names
    flat_admin: bool = False  # the platform shows admin subcommands as /group-name (Discord)
    timezone: str | None = None  # the zone the platform knows for the user (Slack's ``tz``)
    channel_check: ChannelCheck | None = None  # can the bot post in a channel? (see Context)
    lang: Lang | None = None  # a language the caller chose explicitly (``coachbot ask --lang``)


class Dispatcher:
    """Runs invocations against the registry and turns every failure into a clear reply."""

    def __init__(self, services: Services, registry: Registry) -> None:
        self.services = services
        self.registry = registry
        self.notice_providers: list[NoticeProvider] = []

    async def language(self, person: PersonRef, locale: str | None) -> Lang:
        """The user's chosen language, else the platform locale, else the workspace's
        default, else the configured default."""
        chosen = await self.services.languages.get(person) or parse_lang(locale)
        if chosen:
            return chosen
        workspace = await self.services.languages.workspace_default(person)
        return workspace or parse_lang(self.services.settings.bot.default_language) or "fr"

    async def dispatch(self, inv: Invocation) -> Reply:
        """Run ``inv``; never raises for bad input, never shows a traceback. Observers hear
        the command's name, outcome and latency."""
        spec = self.registry.get(inv.path)
        name = spec.qualified_name if spec is not None else "unknown"
        scope = CommandScope(name, inv.person.platform, inv.person.workspace)
        with watch_command(self.services.observers, scope) as watch:
            reply, watch.outcome = await self._run(spec, inv)
        return reply

    async def _run(self, spec: CommandSpec | None, inv: Invocation) -> tuple[Reply, str]:
        """The reply to ``inv`` and its outcome (ok, unknown, refused, bad_input, error)."""
        chosen = inv.lang or await self.services.languages.get(inv.person)
        lang = chosen or await self.language(inv.person, inv.locale)
        if spec is None:
            return self.unknown_command(inv.path, lang, flat_admin=inv.flat_admin), "unknown"
        ctx = Context(
            inv.person,
            lang,
            self.services,
            inv.locale,
            inv.channel,
            inv.is_admin,
            inv.flat_admin,
            timezone=inv.timezone,
            channel_check=inv.channel_check,
            lang_chosen=chosen is not None,
        )
        if spec.admin and not inv.is_admin:
            return error(
                Localized("Réservé aux admins", "Admins only").get(lang),
                Localized(
                    "Cette commande demande la permission de gérer le serveur ou l'espace de travail.",
                    "This command needs the permission to manage the server or workspace.",
                ).get(lang),
            ), "refused"
        try:
            kwargs = parse_args(
                spec, inv.args, self.services, lang, mentions_only=inv.mentions_only
            )
            reply = await spec.handler(ctx, **kwargs)
            return await self.with_notices(ctx, reply), "ok"
        except BadInput as exc:
            return (
                bad_input(spec, exc.message, lang, flat_admin=inv.flat_admin, option=exc.option),
                "bad_input",
            )
        except Exception:
            log.exception("command /%s failed", spec.qualified_name)
            return internal_error(lang), "error"

    async def with_notices(self, ctx: Context, reply: Reply) -> Reply:
        """``reply`` plus what notice providers want the user to know (e.g. failing prompts)."""
        notices: list[str] = []
        for provider in self.notice_providers:
            notices.extend(await provider(ctx))
        return reply.with_notices(*notices) if notices else reply

    def unknown_command(
        self, path: tuple[str, ...], lang: Lang, *, flat_admin: bool = False
    ) -> Reply:
        """An error listing, in the reader's language, what can be typed instead of ``path``
        (admin subcommands lifted to ``/group-name`` with ``flat_admin``)."""
        group = self.registry.groups.get(path[0]) if path else None
        subs = self.registry.in_group(group.name) if group else []
        subs = [s for s in subs if not (flat_admin and s.admin)]
        if group is None or not subs:
            names = sorted({c.path_in(lang, flat_admin=flat_admin)[0] for c in self.registry})
            text = Localized(
                f"Commande inconnue. Commandes : {', '.join('/' + n for n in names)}.",
                f"Unknown command. Commands: {', '.join('/' + n for n in names)}.",
            )
        else:
            shown, accepted = group.name_in(lang), ", ".join(s.name_in(lang) for s in subs)
            what = echo(" ".join(path[1:]))
            text = (
                Localized(
                    f"Choisissez une sous-commande de /{shown} : {accepted}. Aide : `/aide commande:{shown}`.",
                    f"Choose a subcommand of /{shown}: {accepted}. Help: `/help command:{shown}`.",
                )
                if len(path) == 1
                else Localized(
                    f"Sous-commande inconnue « {what} » pour /{shown}. Possibles : {accepted}.",
                    f'Unknown subcommand "{what}" for /{shown}. Accepted: {accepted}.',
                )
            )
        return error(Localized("Commande inconnue", "Unknown command").get(lang), text.get(lang))

    def complete(
        self,
        path: tuple[str, ...],
        option: str,
        prefix: str,
        lang: Lang,
        *,
        flat_admin: bool = False,
    ) -> list[Suggestion]:
        """Autocomplete values for ``option`` of the command at ``path`` (commands named as
        the platform shows them: ``flat_admin`` lifts admin subcommands)."""
        spec = self.registry.get(path)
        opt = spec.option(option) if spec else None
        if opt is None:
            return []
        if opt.choices:
            p = fold(prefix)
            return [
                Suggestion(c.value, c.label.get(lang))
                for c in opt.choices
                if p in fold(c.value) or p in fold(c.label.get(lang))
            ][:25]
        vocab = self.services.vocabularies.get(opt.vocabulary or "")
        if isinstance(vocab, CommandVocabulary):
            return vocab.complete(prefix, lang, flat_admin=flat_admin)
        return vocab.complete(prefix, lang) if vocab else []


def internal_error(lang: Lang) -> Reply:
    """The reply to a failure of ours: nothing changed, try again."""
    return error(
        Localized("Erreur interne", "Internal error").get(lang),
        Localized(
            "Quelque chose s'est mal passé de notre côté ; rien n'a été modifié. "
            "Réessayez dans un instant.",
            "Something went wrong on our side; nothing was changed. Please try again in a moment.",
        ).get(lang),
    )


def bad_input(
    spec: CommandSpec,
    message: Localized,
    lang: Lang,
    *,
    flat_admin: bool = False,
    option: str | None = None,
) -> Reply:
    """The error reply for bad input: what is wrong, then the command's usage; it names
    the refused ``option`` (``Reply.bad_option``) when there is one."""
    title = Localized("Saisie invalide", "Invalid input").get(lang)
    usage = Localized("Usage : ", "Usage: ").get(lang)
    shown = spec.usage(lang, flat_admin=flat_admin)
    reply = error(title, f"{message.get(lang)}\n\n{usage}`{shown}`")
    return replace(reply, bad_option=option)


def param_name(option: str) -> str:
    """The handler's parameter for an option (``with`` -> ``with_``)."""
    return option + "_" if keyword.iskeyword(option) else option


def parse_args(
    spec: CommandSpec,
    raw: Mapping[str, object],
    services: Services,
    lang: Lang,
    *,
    mentions_only: bool = False,
) -> dict[str, object]:
    """Check and convert raw option values; BadInput says what is accepted."""
    unknown = [name for name in raw if spec.option(name) is None]
    if unknown:
        fr, en = (", ".join(o.name_in(lang) for o in spec.options) or "—" for lang in ("fr", "en"))
        raise BadInput(
            Localized(
                f"Option inconnue « {echo(unknown[0])} ». Options possibles : {fr}.",
                f'Unknown option "{echo(unknown[0])}". Accepted options: {en}.',
            )
        )
    values: dict[str, object] = {}
    for opt in spec.options:
        value = raw.get(opt.name)
        if isinstance(value, str) and not opt.rest:  # free text is stored as written
            value = neutralize(value)  # a pasted zero-width space must not hide "paris"
        if is_blank(value) and not opt.rest:
            raise BadInput(_needs_value(opt), opt.name)
        if value is None or value == "":
            if opt.required:
                raise BadInput(
                    Localized(
                        f"L'option « {opt.name_in('fr')} » est obligatoire.",
                        f'The option "{opt.name}" is required.',
                    ),
                    opt.name,
                )
            values[param_name(opt.name)] = None
            continue
        with blame(opt.name):
            values[param_name(opt.name)] = coerce(
                opt, value, services, mentions_only=mentions_only, saves=spec.saves
            )
    return values


def is_blank(value: object) -> bool:
    """True for a text value with nothing in it (``region:`` or ``region:" "``)."""
    return isinstance(value, str) and not value.strip()


def _needs_value(opt: Option) -> Localized:
    """The refusal of an option typed with an empty value (free text options excepted)."""
    fr, en = opt.name_in("fr"), opt.name
    return Localized(
        f"L'option « {fr} » est vide : écrivez sa valeur juste après « {fr}: », "
        "ou retirez l'option.",
        f'The option "{en}" is empty: write its value right after "{en}:", '
        "or leave the option out.",
    )


def coerce(
    opt: Option,
    value: object,
    services: Services,
    *,
    mentions_only: bool = False,
    saves: bool = False,
) -> object:
    """Convert one raw value to the option's type, or raise BadInput; ``saves`` (the
    command records what it is given) adds that a refused value saved nothing."""
    if opt.type is OptionType.INTEGER:
        return _integer(opt, value)
    if opt.type is OptionType.BOOLEAN:
        return _boolean(opt, value)
    text = str(value).strip()
    if opt.type is OptionType.USER:
        return parse_user_ref(text, opt.name, mentions_only=mentions_only)
    if opt.max_length is not None and len(text) > opt.max_length:
        raise BadInput(_too_long(opt, len(text), saves=saves))
    if opt.choices:
        return _choice(opt, text)
    if opt.vocabulary:
        return services.vocabularies[opt.vocabulary].resolve(text)
    return text


def _too_long(opt: Option, length: int, *, saves: bool) -> Localized:
    """The refusal of a text longer than ``opt`` allows; "nothing was saved" only where
    something would have been."""
    fr = f"« {opt.name_in('fr')} » dépasse {opt.max_length} caractères ({length})."
    en = f'"{opt.name}" is longer than {opt.max_length} characters ({length}).'
    if saves:
        return Localized(f"{fr} Rien n'a été enregistré.", f"{en} Nothing was saved.")
    return Localized(f"{fr} Faites plus court.", f"{en} Please make it shorter.")


def _integer(opt: Option, value: object) -> int:
    try:
        number = (
            value if isinstance(value, int) and not isinstance(value, bool) else int(str(value))
        )
    except ValueError:
        number = None
    lo, hi = opt.min_value, opt.max_value
    if number is None or (lo is not None and number < lo) or (hi is not None and number > hi):
        span = f"{lo}–{hi}" if lo is not None and hi is not None else "…"
        shown = echo(str(value))
        raise BadInput(
            Localized(
                f"« {opt.name_in('fr')} » attend un nombre entier ({span}), pas « {shown} ».",
                f'"{opt.name}" takes a whole number ({span}), not "{shown}".',
            )
        )
    return number


def _boolean(opt: Option, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE | FALSE:
        return text in TRUE
    raise BadInput(
        Localized(
            f"« {opt.name_in('fr')} » attend oui ou non.",
            f'"{opt.name}" takes yes or no (true/false).',
        )
    )


def _choice(opt: Option, text: str) -> str:
    key = fold(text)
    for choice in opt.choices:
        if key in (fold(choice.value), fold(choice.label.fr), fold(choice.label.en)):
            return choice.value
    accepted = ", ".join(c.value for c in opt.choices)
    shown = echo(text)
    raise BadInput(
        Localized(
            f"« {shown} » n'est pas accepté pour « {opt.name_in('fr')} ». Valeurs : {accepted}.",
            f'"{shown}" is not accepted for "{opt.name}". Accepted: {accepted}.',
        )
    )


async def run_action(
    dispatcher: Dispatcher,
    person: PersonRef,
    action_id: str,
    locale: str | None,
    channel: str | None = None,
    *,
    flat_admin: bool = False,
) -> Reply:
    """Run the button ``action_id`` (``<name>:<payload>``) pressed by ``person``; ``flat_admin``
    as in ``Invocation``. Observers hear it as the command ``action:<name>``."""
    name, _, payload = action_id.partition(":")
    spec = dispatcher.registry.actions.get(name)
    shown = name if spec is not None else "unknown"  # never a made-up id from a payload
    scope = CommandScope(f"action:{shown}", person.platform, person.workspace)
    with watch_command(dispatcher.services.observers, scope) as watch:
        lang = await dispatcher.language(person, locale)
        ctx = Context(person, lang, dispatcher.services, locale, channel, flat_admin=flat_admin)
        reply, watch.outcome = await _press(dispatcher, spec, ctx, payload)
    return reply


async def _press(
    dispatcher: Dispatcher, spec: ActionSpec | None, ctx: Context, payload: str
) -> tuple[Reply, str]:
    """The reply to a button press and its outcome (ok, unknown, bad_input)."""
    if spec is None:
        return error(
            ctx.t(Localized("Action inconnue", "Unknown action")),
            ctx.t(Localized("Ce bouton n'est plus valable.", "This button is no longer valid.")),
        ), "unknown"
    try:
        return await dispatcher.with_notices(ctx, await spec.handler(ctx, payload)), "ok"
    except BadInput as exc:
        return error(ctx.t(Localized("Action refusée", "Action refused")), ctx.t(exc.message)), (
            "bad_input"
        )
