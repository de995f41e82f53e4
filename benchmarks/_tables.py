"""Markdown tables for the benchmark scripts, and their command line."""

import argparse

from _threads import limited_threads


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


def main_for(tables, description):
    """Command line of a section script: ``--quick``, then print its tables."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small, short run")
    args = parser.parse_args()
    with limited_threads():
        for title, rows in tables(args.quick):
            print(f"\n{title}\n\n{to_markdown(rows)}")


def write_report(report, output):
    """Print ``report`` and, if ``output`` (a Path) is given, write it there."""
    print("\n" + report)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report + "\n")
