"""YAML from users — scenarios, stockpile cases, support candidates, watchlists — read one
safe way: no anchors or aliases (a few lines of them can expand to gigabytes), and a mistake
named by its line."""

from __future__ import annotations

from typing import Any

import yaml

from econsec.errors import InputError

__all__ = ["load_yaml"]


def load_yaml(text: str, source: str) -> Any:
    """The value of a YAML text, refusing anchors and aliases.

    Parameters
    ----------
    text : str
        The YAML.
    source : str
        Its name in messages (a file name, "scenario", "case").

    Returns
    -------
    object

    Raises
    ------
    InputError
        Naming the line (bad YAML, an anchor or alias).

    Examples
    --------
    >>> load_yaml("a: [1, 2]", "case")
    {'a': [1, 2]}
    >>> load_yaml("a: &x [1]\\nb: *x", "case")
    Traceback (most recent call last):
    econsec.errors.InputError: case, line 1: anchors and aliases (& and *) are not allowed
    >>> load_yaml("name: x\\nbase_year: [2024", "scenario")
    Traceback (most recent call last):
    econsec.errors.InputError: scenario, line 2: not valid YAML: expected ',' or ']', but got '<stream end>'
    """
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise InputError("anchors and aliases (& and *) are not allowed", file=source,
                                 line=mark.line + 1 if mark else None)  # fmt: skip
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            "not valid YAML: {v1}",
            values={"v1": getattr(exc, "problem", exc)},
            file=source,
            line=mark.line + 1 if mark else None,
        ) from None
