"""The delivery row's transition table is the only way statements move a row."""

from __future__ import annotations

import pytest

from coachbot.scheduling.states import (
    LIVE,
    TRANSITIONS,
    State,
    TransitionError,
    inserted,
    move,
)


def test_every_state_is_reachable_and_final_states_stay_final_for_the_engine() -> None:
    targets = {target for _, target in TRANSITIONS}
    assert targets == set(State)
    # Only /coach tip may turn a day that is over (missed, failed, cancelled) into sent,
    # and only a resubscribe may bring a cancelled prompt back.
    for source in (State.MISSED, State.FAILED):
        assert {t for s, t in TRANSITIONS if s is source} == {State.SENT}
    assert {t for s, t in TRANSITIONS if s is State.SENT} == set()


@pytest.mark.parametrize(
    ("sources", "target"),
    [((State.SENT,), State.CLAIMED), ((State.CANCELLED,), State.SENDING), (LIVE, State.SENDING)],
)
def test_a_move_outside_the_table_is_refused(sources: tuple[State, ...], target: State) -> None:
    with pytest.raises(TransitionError):
        move(sources, target)


def test_a_move_names_the_states_it_moves_from() -> None:
    sql = str(move((State.CLAIMED, State.RETRY), State.CANCELLED))
    assert "status IN ('claimed', 'retry')" in sql
    assert inserted(State.CLAIMED) == "claimed"
    with pytest.raises(TransitionError):
        inserted(State.SENDING)
