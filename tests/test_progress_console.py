"""A scripted ``coachbot chat`` session doing the whole tracker, as a real process."""

from __future__ import annotations

from pathlib import Path

from tests.test_console import run

SCRIPT = """\
/coach language en
/progress rate skill:security level:2
/progress rate skill:"team leadership" level:4
/progress rate skill:securty level:3
/progress log skill:security note:led the incident review with **three** teams @everyone
/progress log skill:security note:{long}
/progress goal skill:security level:4
/progress rate skill:security level:4
/progress show
/progress history skill:security
/progress report
/as bob
/progress show
"""


def test_scripted_console_session_covers_the_tracker(tmp_path: Path) -> None:
    assert run(["migrate"], tmp_path).returncode == 0
    result = run(["chat", "--user", "alice"], tmp_path, SCRIPT.format(long="x" * 501))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "IT security: 2/5 (first rating)" in out
    assert "★ First self-rating" in out
    assert '"securty" is not a known skill. Closest: it_security' in out
    assert "Team leadership — led the incident review with **three** teams @everyone" not in out
    assert "IT security — led the incident review with **three** teams @everyone" in out
    assert "longer than 500 characters (501). Nothing was saved." in out
    assert "Focus: IT security → 4/5 (now 2/5)" in out
    assert "★ Goal reached: IT security at level 4/5" in out
    assert "CTO readiness: 7% of the target profile (2/30 skills rated)" in out
    assert "Streak: 1 day" in out
    assert "IT security: 4/5 now, 2 rating(s)" in out
    assert "Your portfolio is attached" in out
    assert "(vous agissez maintenant en tant que bob)" in out  # bob speaks French
    bob = out.split("(vous agissez maintenant en tant que bob)")[1]
    assert "Rien d'enregistré pour l'instant" in bob and "IT security" not in bob
    charts = tmp_path / "charts"
    pngs = sorted(p.name for p in charts.glob("*.png"))
    assert pngs == [
        "history-alice-it_security.png",
        f"next-alice-{_day(out)}.png",
        f"progress-alice-{_day(out)}.png",
    ]
    for png in charts.glob("*.png"):
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    (report,) = charts.glob("cto-readiness-alice-*.md")
    text = report.read_text(encoding="utf-8")
    assert "## Evidence log (1)" in text and "\\*\\*three\\*\\*" in text
    assert (
        "[chart] You and the target CTO profile: readiness" in out
        and f"[file]: {report.relative_to(tmp_path)}" in out
    )


def _day(out: str) -> str:
    return out.split("progress-alice-")[1][:10]
