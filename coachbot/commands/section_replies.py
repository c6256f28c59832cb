"""A section of the base as a reply (its text, its topic's command, a follow-up offered),
and a reply with one line of context added."""

from __future__ import annotations

from dataclasses import replace

from coachbot.commands.cto import MORE_ACTION, SOURCES
from coachbot.i18n import Localized
from coachbot.knowledge.models import Section
from coachbot.markup import escape
from coachbot.reply import Actions, Button, Reply, Text
from coachbot.services import Context


def with_context(reply: Reply, line: str, *, lead: bool) -> Reply:
    """``reply`` with one line of context before (``lead``) or after its blocks."""
    text = Text(line)
    blocks = (text, *reply.blocks) if lead else (*reply.blocks, text)
    return replace(reply, blocks=blocks)


def section_reply(ctx: Context, section: Section, following: Section | None) -> Reply:
    kb, lang = ctx.services.kb, ctx.lang
    topic = kb.topics[section.topic_id]
    body = section.text(lang)
    more = Localized("Tout le sujet", "The whole topic").get(lang)
    blocks: list[Text | Actions] = [
        Text(body.text),
        Text(f"_{more} ({escape(topic.title.get(lang))}) :_ `/cto {topic.name_in(lang)}`"),
    ]
    if following is not None:
        label = following.text(lang).heading
        offer = Localized(
            f"Voir aussi : **{escape(label)}** (ou tapez « plus »).",
            f"See also: **{escape(label)}** (or type “more”).",
        ).get(lang)
        blocks += [Text(offer), Actions((Button(f"{MORE_ACTION}:{following.key}", label),))]
    return Reply(
        title=body.heading,
        blocks=tuple(blocks),
        footer=SOURCES.get(lang) + kb.cite(section.sources, lang),
    )
