"""The Markdown table both benchmark scripts print (not a benchmark)."""


def fmt(value):
    """A cell: 4 significant digits for floats, lists spelled out."""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.3e}"
    if isinstance(value, list):
        return " ".join(f"{x:.3g}" for x in value)
    return str(value)


def notes(row, columns):
    """The row's keys that are not columns (nor raw times, nor the target)."""
    shown = {key for key, _ in columns} | {"target"}
    return "; ".join(
        f"{k} {fmt(v)}" for k, v in row.items() if k not in shown and not k.startswith("times_")
    )


def markdown(rows, columns, formats=None):
    """A Markdown table of ``rows`` (dicts), with a last "notes" column.

    Parameters
    ----------
    rows : list of dict
        Each with a ``"ratio"`` and the ``"target"`` it is judged against.
    columns : list of (key, header)
        The columns, in order; a key missing from a row gives an empty cell.
        The ``"ratio"`` column is bold and says "ok" (at or under the
        target) or "MISSED".
    formats : dict of key to callable, default=None
        Cell formats other than :func:`fmt`.

    The notes column is :func:`notes`.
    """
    formats = formats or {}
    lines = [
        "| " + " | ".join(header for _, header in columns) + " | notes |",
        "|" + "---|" * (len(columns) + 1),
    ]
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key, "")
            if key == "ratio":
                verdict = "ok" if value <= row["target"] else "MISSED"
                cells.append(f"**{value:.2f}** ({verdict})")
            else:
                cells.append(formats.get(key, fmt)(value))
        lines.append("| " + " | ".join(cells + [notes(row, columns)]) + " |")
    return "\n".join(lines)


def emit(table, path=None):
    """Print ``table`` after a blank line; also write it to ``path`` if given."""
    print()
    print(table)
    if path:
        with open(path, "w") as f:
            f.write(table + "\n")
