"""A person's pictures uploaded once per change, into their DM with the bot.

The radar chart is shown by ``/progress show`` and by App Home; both ask here for its
Slack file id. A picture is known by the SHA-256 of its bytes: the same picture is
never uploaded twice, not by the other surface and not after a restart (the ids are
stored in ``uploaded_file``, one row per person and picture, erased with the person
by ``/coach forget``). Concurrent asks for one picture share one upload. A file id App
Home could not show (Slack still processing it, or the file deleted) is not offered to
App Home again for ``REFUSED_PAUSE``, so a refused picture does not cost two publishes
each time.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from coachbot.adapters.slack.outbox import DirectMessages
from coachbot.adapters.slack.render import Upload
from coachbot.clock import Clock
from coachbot.db.models import UploadedFile
from coachbot.db.people import find_person
from coachbot.identity import PersonRef
from coachbot.services import Services

log = logging.getLogger(__name__)
REFUSED_PAUSE = timedelta(minutes=15)
MAX_ENTRIES = 50_000
Key = tuple[str, str, str]  # workspace, user, digest


class ChartFiles:
    """The Slack file id of each picture uploaded for a person (see the module docstring)."""

    def __init__(self, services: Services, dms: DirectMessages) -> None:
        self._services = services
        self._clock: Clock = services.clock
        self._dms = dms
        self._known: dict[Key, str] = {}
        self._locks: dict[Key, asyncio.Lock] = {}
        self._refused: dict[str, datetime] = {}
        self.uploads = 0  # pictures actually uploaded by this process

    async def file_id(self, client: AsyncWebClient, person: PersonRef, item: Upload) -> str:
        """The id of ``item`` uploaded into ``person``'s DM: uploaded now only if it never was."""
        key = (person.workspace, person.user, hashlib.sha256(item.data).hexdigest())
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            known = self._known.get(key) or await self._stored(person, key[2])
            if known is None:
                known = await self._upload(client, person, item)
                await self._store(person, key[2], known)
            self._remember(key, known)
        self._locks.pop(key, None)
        return known

    def refused(self, file_id: str) -> None:
        """App Home could not show ``file_id``: leave it out for ``REFUSED_PAUSE``."""
        self._refused[file_id] = self._clock.now() + REFUSED_PAUSE

    def showable(self, file_id: str) -> bool:
        """False while App Home's refusal of ``file_id`` is recent."""
        until = self._refused.get(file_id)
        return until is None or until <= self._clock.now()

    async def _upload(self, client: AsyncWebClient, person: PersonRef, item: Upload) -> str:
        dm = await self._dms.channel(client, person.workspace, person.user)
        response = await client.files_upload_v2(
            channel=dm,
            file=item.data,
            filename=item.filename,
            title=item.title,
            alt_txt=item.title if item.is_image else None,
        )
        self.uploads += 1
        return str(response["file"]["id"])

    def _remember(self, key: Key, file_id: str) -> None:
        if len(self._known) >= MAX_ENTRIES:
            self._known.clear()
        self._known[key] = file_id

    async def _stored(self, person: PersonRef, digest: str) -> str | None:
        """The file id stored for this picture, if the database knows one."""
        if self._services.db is None:
            return None
        async with self._services.db.session() as session:
            found = await find_person(session=session, ref=person)
            if found is None:
                return None
            query = select(UploadedFile.file_id).where(
                UploadedFile.person_id == found.id, UploadedFile.digest == digest
            )
            return (await session.exec(query)).first()

    async def _store(self, person: PersonRef, digest: str, file_id: str) -> None:
        """Remember the upload (a person the bot never stored keeps it in memory only)."""
        if self._services.db is None:
            return
        try:
            async with self._services.db.session() as session:
                found = await find_person(session=session, ref=person)
                if found is None or found.id is None:
                    return
                row = UploadedFile(
                    person_id=found.id, digest=digest, file_id=file_id, created_at=self._clock.now()
                )
                session.add(row)
        except IntegrityError:
            log.info("another process stored the same picture first")
