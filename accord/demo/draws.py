"""Random draws the generator repeats millions of times, all from the run's own ``random.Random``."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """Repeated weighted choice (``random.choices`` rebuilds its cumulative table on every call)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    @classmethod
    def of(cls, weights: Mapping[T, float]) -> Weighted[T]:
        return cls(list(weights), list(weights.values()))

    def draw(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


class Deck(Generic[T]):
    """Draws without replacement from a shuffled deck, reshuffling when it runs out.

    Used for deal outcomes: every run of draws holds each card in proportion, so even a small
    workspace shows won, lost and every open stage. ``opening`` is a first hand dealt (shuffled)
    before the deck, to show every card early and weight them differently later.
    """

    def __init__(self, cards: Sequence[T], rng: random.Random, *, opening: Sequence[T] = ()) -> None:
        self.cards = list(cards)
        self.rng = rng
        self.left: list[T] = list(opening)
        rng.shuffle(self.left)

    def draw(self) -> T:
        if not self.left:
            self.left = list(self.cards)
            self.rng.shuffle(self.left)
        return self.left.pop()
