"""What every adapter shares: mapping each reply block kind to a renderer, loudly."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from coachbot.reply import BLOCK_KINDS, Block

R = TypeVar("R")


class UnsupportedBlock(TypeError):
    """An adapter met a reply block kind it has no renderer for."""


def check_renderers(renderers: Mapping[type, Callable[[Any], Any]], adapter: str) -> None:
    """Fail at start-up when ``renderers`` misses a block kind the core can produce."""
    missing = [k.__name__ for k in BLOCK_KINDS if k not in renderers]
    if missing:
        raise UnsupportedBlock(f"{adapter} adapter has no renderer for: {', '.join(missing)}")


def render_blocks(blocks: Iterable[Block], renderers: Mapping[type, Callable[[Any], R]]) -> list[R]:
    """Render each block with the renderer registered for its exact type."""
    out = []
    for block in blocks:
        renderer = renderers.get(type(block))
        if renderer is None:
            raise UnsupportedBlock(f"no renderer for {type(block).__name__}")
        out.append(renderer(block))
    return out
