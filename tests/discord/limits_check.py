"""Discord's limits on one message body (what the API refuses), checked on what we send."""

from __future__ import annotations

from typing import Any

from coachbot.adapters.discord import limits

NO_MENTIONS = {"parse": []}


def message_problems(body: dict[str, Any]) -> list[str]:
    """Every limit ``body`` breaks; empty when Discord would accept it."""
    found: list[str] = []
    content = body.get("content") or ""
    if len(content) > limits.CONTENT:
        found.append(f"content of {len(content)} characters")
    embeds = body.get("embeds") or []
    if len(embeds) > limits.EMBEDS_PER_MESSAGE:
        found.append(f"{len(embeds)} embeds")
    total = 0
    for embed in embeds:
        found += embed_problems(embed)
        total += embed_size(embed)
    if total > limits.EMBED_TOTAL:
        found.append(f"{total} embed characters in one message")
    attachments = body.get("attachments") or []
    if len(attachments) > limits.FILES_PER_MESSAGE:
        found.append(f"{len(attachments)} files")
    found += _images_attached(embeds, attachments)
    found += component_problems(body.get("components") or [])
    if not (content.strip() or embeds or attachments or body.get("components")):
        found.append("empty message")
    if body.get("allowed_mentions") != NO_MENTIONS:
        found.append(f"allowed_mentions is {body.get('allowed_mentions')!r}")
    return found


def embed_size(embed: dict[str, Any]) -> int:
    """What Discord counts toward 6000."""
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields") or [])
    return size + len((embed.get("footer") or {}).get("text") or "")


def embed_problems(embed: dict[str, Any]) -> list[str]:
    """One embed's own limits."""
    found: list[str] = []
    checks = [
        ("title", embed.get("title"), limits.TITLE),
        ("description", embed.get("description"), limits.DESCRIPTION),
        ("footer", (embed.get("footer") or {}).get("text"), limits.FOOTER),
    ]
    for name, text, limit in checks:
        if text is not None and not text.strip():
            found.append(f"blank {name}")
        if text is not None and len(text) > limit:
            found.append(f"{name} of {len(text)} characters")
    fields = embed.get("fields") or []
    if len(fields) > limits.FIELDS:
        found.append(f"{len(fields)} fields")
    for f in fields:
        if not f["name"].strip() or not f["value"].strip():
            found.append("blank field name or value")
        if not 0 < len(f["name"]) <= limits.FIELD_NAME:
            found.append(f"field name of {len(f['name'])} characters")
        if not 0 < len(f["value"]) <= limits.FIELD_VALUE:
            found.append(f"field value of {len(f['value'])} characters")
    if not (
        embed.get("title")
        or embed.get("description")
        or fields
        or embed.get("image")
        or embed.get("footer")
    ):
        found.append("empty embed")
    return found


def _images_attached(embeds: list[dict[str, Any]], attachments: list[dict[str, Any]]) -> list[str]:
    names = {a.get("filename") for a in attachments}
    wanted = [(e.get("image") or {}).get("url", "") for e in embeds]
    return [
        f"{url} is not attached to its message"
        for url in wanted
        if url.startswith("attachment://") and url.removeprefix("attachment://") not in names
    ]


def component_problems(rows: list[dict[str, Any]]) -> list[str]:
    """At most 5 rows of at most 5 buttons; labels 1-80; unique custom_ids of 1-100."""
    found: list[str] = []
    if len(rows) > limits.ROWS:
        found.append(f"{len(rows)} rows")
    ids: list[str] = []
    for row in rows:
        buttons = row.get("components") or []
        if row.get("type") != 1 or not 0 < len(buttons) <= limits.BUTTONS_PER_ROW:
            found.append(f"a row of {len(buttons)} buttons")
        for button in buttons:
            label, custom_id = button.get("label") or "", button.get("custom_id") or ""
            if not label.strip() or len(label) > limits.BUTTON_LABEL:
                found.append(f"button label {label!r}")
            if not 0 < len(custom_id) <= limits.CUSTOM_ID:
                found.append(f"custom_id of {len(custom_id)} characters")
            ids.append(custom_id)
    if len(ids) != len(set(ids)):
        found.append("duplicate custom_id")
    return found


def texts(body: dict[str, Any]) -> list[str]:
    """Every text a user sees in ``body``."""
    out = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        out += [embed.get("title") or "", embed.get("description") or ""]
        out += [t for f in embed.get("fields") or [] for t in (f["name"], f["value"])]
        out.append((embed.get("footer") or {}).get("text") or "")
    out += [
        b.get("label") or ""
        for r in body.get("components") or []
        for b in r.get("components") or []
    ]
    return [t for t in out if t]
