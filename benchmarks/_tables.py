"""Markdown tables for the benchmark scripts."""


def to_markdown(rows, *, thousands_above=10):
    """Format result rows (dicts with the same keys) as a markdown table.

    Floats above ``thousands_above`` print as whole numbers with thousands
    separators, other floats with two decimals.
    """
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [
            f"{value:,.0f}"
            if isinstance(value, float) and value > thousands_above
            else f"{value:.2f}"
            if isinstance(value, float)
            else str(value)
            for value in row.values()
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
