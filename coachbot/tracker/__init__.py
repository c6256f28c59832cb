"""The progression tracker: self-ratings, evidence, goals, streaks, readiness, charts, reports.

Pure modules (``readiness``, ``milestones`` rules, ``charts`` rendering, ``report``
formatting) import nothing heavy; the ones touching the database import SQLModel and
are imported lazily by ``coachbot.commands.progress`` so ``coachbot ask`` stays light.
"""
