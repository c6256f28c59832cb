"""Typed command lines bind options by name, by position, and take the rest of the line."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachbot.app import build_registry
from coachbot.errors import BadInput
from coachbot.knowledge.loader import default_knowledge
from coachbot.registry import Registry
from coachbot.textcommand import parse_options, split_path


@cache
def _registry() -> Registry:
    return build_registry(default_knowledge())


@pytest.fixture
def registry() -> Registry:
    return _registry()


def options(registry: Registry, line: str) -> dict[str, str]:
    path, rest = split_path(line, registry)
    spec = registry.get(path)
    assert spec is not None, path
    return parse_options(spec, rest)


def test_keyed_options(registry: Registry) -> None:
    assert options(registry, "/cto salary region:paris level:expert") == {
        "region": "paris",
        "level": "expert",
    }


def test_positional_options_follow_declaration_order(registry: Registry) -> None:
    assert options(registry, "/cto salary paris expert") == {"region": "paris", "level": "expert"}


def test_keyed_and_positional_mix(registry: Registry) -> None:
    assert options(registry, "/cto salary level:expert paris") == {
        "level": "expert",
        "region": "paris",
    }


def test_rest_option_takes_the_line_as_written(registry: Registry) -> None:
    assert options(registry, "/cto ask what: is a CTO, really?") == {
        "question": "what: is a CTO, really?"
    }
    assert options(registry, "/cto ask question:combien gagne  un CTO") == {
        "question": "combien gagne  un CTO"
    }


def test_quotes_group_words(registry: Registry) -> None:
    assert options(registry, '/cto salary region:"big cities"') == {"region": "big cities"}


def test_extra_argument_is_refused(registry: Registry) -> None:
    with pytest.raises(BadInput, match="Unexpected argument"):
        options(registry, "/cto salary paris expert more")


@pytest.mark.parametrize(
    "line",
    [
        "/cto day hour:13 hour:14",
        "/cto salary region:paris region:lyon",
        "/cto salary paris region:lyon",
        "/cto salary niveau:expert level:expert",
    ],
)
def test_an_option_bound_twice_is_refused(registry: Registry, line: str) -> None:
    with pytest.raises(BadInput) as refused:
        options(registry, line)
    assert "given twice" in refused.value.message.en
    assert "donnée deux fois" in refused.value.message.fr


def test_words_after_a_rest_option_are_its_text_not_a_second_option(registry: Registry) -> None:
    assert options(registry, "/cto ask question:one question:two") == {
        "question": "one question:two"
    }


def test_group_and_command_words_are_case_insensitive(registry: Registry) -> None:
    assert split_path("/CTO Salary paris", registry) == (("cto", "salary"), "paris")


@settings(max_examples=200)
@given(st.text(max_size=120))
def test_any_text_binds_or_raises_bad_input(text: str) -> None:
    registry = _registry()
    for path in (("cto", "salary"), ("cto", "ask"), ("help",)):
        spec = registry.get(path)
        assert spec is not None
        try:
            bound = parse_options(spec, text)
        except BadInput:
            continue
        assert set(bound) <= {o.name for o in spec.options}
