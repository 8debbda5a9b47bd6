"""Lists and dicts after the code changes them: ``cfg.update(run_eagerly=True)``,
``cfg["jit_compile"] = True``, ``cfg |= {...}``, ``losses.append("mae")``, ``a + b``.

Each function returns the container's new value (a new ``SeqValue`` / ``DictValue``; the
old one stays what an earlier compile() call received) or UNKNOWN when the change is not
one the analysis can follow. Value expressions travel with the values, so a finding about
an entry still points at the code that wrote it.
"""

from __future__ import annotations

from typing import Any

from compilelint.facts.values import UNKNOWN, DictValue, SeqValue, is_scalar

STAR = object()  # an argument spread with ``*``: its values are unknown


def _copy_dict(value: DictValue) -> DictValue:
    return DictValue(dict(value.entries), value.node, dict(value.value_nodes))


def _copy_list(value: SeqValue) -> SeqValue | None:
    if len(value.nodes) != len(value.items):
        return None
    return SeqValue(value.kind, list(value.items), value.node, list(value.nodes))


def set_item(container: Any, key: Any, item: Any, expression: Any) -> Any:
    """``container[key] = item``."""
    if isinstance(container, DictValue) and is_scalar(key):
        updated = _copy_dict(container)
        updated.entries[key] = item
        if expression is not None:
            updated.value_nodes[key] = expression
        else:
            updated.value_nodes.pop(key, None)
        return updated
    if isinstance(container, SeqValue) and container.kind == "list" and isinstance(key, int) and not isinstance(key, bool):
        updated = _copy_list(container)
        if updated is None or expression is None or not -len(updated.items) <= key < len(updated.items):
            return UNKNOWN
        updated.items[key] = item
        updated.nodes[key] = expression
        return updated
    return UNKNOWN


def deleted(container: Any, key: Any) -> Any:
    """``del container[key]``."""
    if isinstance(container, DictValue) and is_scalar(key) and key in container.entries:
        updated = _copy_dict(container)
        del updated.entries[key]
        updated.value_nodes.pop(key, None)
        return updated
    return UNKNOWN


def merged_dicts(left: Any, right: Any) -> Any:
    """``{**left, **right}`` when both are known dicts."""
    if not (isinstance(left, DictValue) and isinstance(right, DictValue)):
        return UNKNOWN
    updated = _copy_dict(left)
    updated.entries.update(right.entries)
    for key in right.entries:
        if key in right.value_nodes:
            updated.value_nodes[key] = right.value_nodes[key]
        else:
            updated.value_nodes.pop(key, None)
    return updated


def concatenated(left: Any, right: Any) -> Any:
    """``left + right`` for two known lists (or two tuples)."""
    if not (isinstance(left, SeqValue) and isinstance(right, SeqValue)) or left.kind != right.kind:
        return UNKNOWN
    if len(left.nodes) != len(left.items) or len(right.nodes) != len(right.items):
        return UNKNOWN
    return SeqValue(left.kind, left.items + right.items, None, left.nodes + right.nodes)


def augmented(current: Any, operator: str, value: Any, expression: Any) -> Any:
    """The value of ``current <op>= value`` (``BitOr`` for dicts, ``Add`` for lists)."""
    if operator == "AddAssign":
        return concatenated(current, value)
    if operator == "BitOrAssign":
        return merged_dicts(current, value)
    return UNKNOWN


def call_method(receiver: Any, method: str, args: list, kwargs: dict, node: Any) -> tuple[Any, Any]:
    """(new value of the receiver, what the call returns) for a mutating method call."""
    written = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
    if STAR in args or "**" in kwargs:
        return UNKNOWN, UNKNOWN
    if isinstance(receiver, DictValue):
        if method == "update":
            if len(args) > 1:
                return UNKNOWN, UNKNOWN
            updated: Any = receiver
            if args:
                updated = merged_dicts(receiver, args[0])
            if kwargs and updated is not UNKNOWN:
                nodes = {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}
                updated = merged_dicts(updated, DictValue(dict(kwargs), None, nodes))
            return updated, None
        if method == "setdefault" and args and is_scalar(args[0]) and not kwargs and len(args) <= 2:
            if args[0] in receiver.entries:
                return receiver, receiver.entries[args[0]]
            item = args[1] if len(args) == 2 else None
            return set_item(receiver, args[0], item, written[1] if len(written) == 2 else None), item
        if method == "pop" and args and is_scalar(args[0]) and not kwargs and len(args) <= 2:
            if args[0] not in receiver.entries:
                return (receiver, args[1]) if len(args) == 2 else (UNKNOWN, UNKNOWN)
            updated = _copy_dict(receiver)
            item = updated.entries.pop(args[0])
            updated.value_nodes.pop(args[0], None)
            return updated, item
        return UNKNOWN, UNKNOWN
    if isinstance(receiver, SeqValue) and receiver.kind == "list" and not kwargs:
        if method == "append" and len(args) == 1 and len(written) == 1:
            updated = _copy_list(receiver)
            if updated is None:
                return UNKNOWN, UNKNOWN
            updated.items.append(args[0])
            updated.nodes.append(written[0])
            return updated, None
        if method == "extend" and len(args) == 1:
            return concatenated(receiver, args[0]), None
    return UNKNOWN, UNKNOWN
