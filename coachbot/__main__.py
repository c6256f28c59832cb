"""``python -m coachbot``."""

from coachbot.cli import main

raise SystemExit(main())
