"""The whole mentor flow, and export and forget, in a real ``coachbot chat`` with ``/as NAME``."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.test_console import run

SCRIPT = """\
/coach language en
/progress rate skill:budget level:2
/mentor request user:@bob
/as bob
/coach language en
/mentor list
/press 1
/mentor view user:@alice
/mentor note user:@alice Great budget review <!channel> @everyone
/mentor focus user:@alice skill:security level:4
/mentor alerts user:@alice on:true days:5
/as carol
/coach language en
/mentor view user:@alice
/as alice
/progress show
/progress notes
/press 1
/progress report
/mentor list
/coach export
/mentor end user:@bob
/as bob
/mentor view user:@alice
/as alice
/coach forget
/press 1
/mentor list
"""


def test_mentor_flow_in_the_console(tmp_path: Path) -> None:
    assert run(["migrate"], tmp_path).returncode == 0
    result = run(["chat", "--user", "alice"], tmp_path, SCRIPT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    replies = out.split("\n== ")
    assert "== Request sent ==" in out
    assert "@alice — asks you to be their mentor" in out and "[1] Accept @alice" in out
    assert "You now mentor @alice" in out
    assert "== Progress of @alice ==" in out
    assert "Great budget review <!channel> @everyone" in out  # shown as written, as text
    assert "Goal for @alice: IT security at level 4/5, marked as set by you." in out
    assert "Alerts about @alice are on" in out
    # carol has no link: the one refusal; after alice ends the link, bob gets it too
    refusals = [r for r in replies if r.startswith("Not possible ==")]
    assert len(refusals) == 2 and refusals[0] == refusals[1]
    # alice sees bob's note on her next /progress show, and her mentor in /mentor list
    show = next(r for r in replies if r.startswith("Your progress =="))
    assert "New notes from your mentors" in show and "@bob" in show
    assert "★ @bob set you a new focus: IT security → 4/5." in show
    assert "Focus: IT security → 4/5 (now —) (set by @bob)" in " ".join(show.split())
    # she puts bob's note in her portfolio
    assert "[1] Include 1" in out and "[1] Exclude 1" in out
    assert "Mentor notes included: 1" in " ".join(out.split())
    assert "@bob — active" in out
    # the export is a JSON file whose path is printed
    path = Path(re.search(r"\[file\]: (\S+\.json)", out).group(1))  # type: ignore[union-attr]
    data = json.loads((tmp_path / path if not path.is_absolute() else path).read_text())
    assert data["person"]["user_id"] == "alice"
    assert [n["text"] for n in data["tables"]["mentor_note"]] == [
        "Great budget review <!channel> @everyone"
    ]
    assert "Link ended" in out
    assert "[1] Erase everything   [2] Cancel" in out
    assert "Data erased" in out
    # erased, language included: the last reply is in the default language, French
    assert replies[-1].startswith("Mentorat ==") and "Aucun lien de mentorat" in replies[-1]
