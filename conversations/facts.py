"""Writing facts on the dialogue state: a scalar is replaced (the last word wins), a list grows,
and "none" is an explicit empty list that named items later replace."""

from __future__ import annotations

from typing import Any

from conversations.state import DialogueState, Fact


def set_fact(state: DialogueState, key: str, value: Any, words: str, *, uncertain: bool = False,
             source: str = "patient") -> None:
    state.facts[key] = Fact(key=key, value=value, words=words, turn=state.turn, source=source,
                            uncertain=uncertain)


def add_to_list(state: DialogueState, key: str, item: str, words: str,
                source: str = "patient") -> None:
    fact = state.facts.get(key)
    values = list(fact.value) if fact and isinstance(fact.value, list) else []
    if item not in values:
        values.append(item)
    joined = words if fact is None or words in fact.words else f"{fact.words}；{words}"
    set_fact(state, key, values, joined, source=source)


def deny_list(state: DialogueState, key: str, words: str) -> None:
    """The patient said "none": record an explicit empty list, unless items were named."""
    fact = state.facts.get(key)
    if fact is None or not fact.value:
        set_fact(state, key, [], words)
