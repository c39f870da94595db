"""A count as a researcher reads it in a terminal: the figure, its basis, groups, trend, borderline."""

from __future__ import annotations

import textwrap

from findings.relevance.counts import Count


def percent(value: float | None) -> str:
    """A share as a percentage ("-" for none)."""
    return "-" if value is None else f"{100 * value:.0f}%"


def plural(number: int, noun: str) -> str:
    """``1 council``, ``3 councils``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def share_line(row: dict) -> str:
    """``12 of 80 councils (15%, 95% CI 9%-24%)``."""
    low, high = row["interval"]
    return (f"{row['councils_matched']} of {row['councils']} councils ({percent(row['share'])}, "
            f"95% CI {percent(low)}-{percent(high)})")


def finding_lines(entries: list[dict], limit: int) -> list[str]:
    """Findings, most probable first, with council, date and report."""
    lines = []
    for entry in entries[:limit]:
        lines.append(f"  {entry['probability']:.2f} [{entry['label']}] {entry['council']} {entry['date']} "
                     f"p.{entry['page']} {entry['doc_id']}")
        lines.append(textwrap.indent(textwrap.fill(entry["text"], 96), "       "))
    return lines


def absent_sentence(terms: list[str], result: str = "count") -> str:
    """What to tell a user whose query holds words no finding uses (``result``: "count", "search")."""
    quoted = ", ".join(f"'{t}'" for t in terms)
    return (f"No finding uses {quoted}: check the spelling; the {result} rests on the query's other words "
            "and on its meaning.")


def estimate_sentence(cutoff: float, estimated: dict) -> str:
    """The cut-off and what was measured of it: precision and recall, with intervals when known."""
    if estimated.get("precision") is None:
        return f"cut-off {cutoff:.2f} (not measured)"

    def figure(name: str) -> str:
        interval = estimated.get(f"{name}_interval")
        shown = f" ({interval[0]:.2f}-{interval[1]:.2f})" if interval else ""
        return f"{name} {estimated[name]:.2f}{shown}"

    resampled = " (95% intervals over resampled queries)" if estimated.get("precision_interval") else ""
    return (f"cut-off {cutoff:.2f}: {figure('precision')}, {figure('recall')} on the dev queries, "
            f"leave-one-query-out{resampled}")


def count_text(count: Count, show: int = 10) -> str:
    """The count as text: what was counted and how sure, the totals, groups, trend and sensitivity."""
    basis = estimate_sentence(count.cutoff, count.estimated)
    totals = count.totals
    lines = [f"{count.query!r}" + (f" ({count.label})" if count.label else "")
             + (f" where {count.filters}" if count.filters else ""),
             f"{share_line(totals)}: {totals['findings']} findings in {totals['reports_matched']} of "
             f"{totals['reports']} reports; {basis}"]
    if count.absent_terms:
        lines.append(absent_sentence(count.absent_terms))
    lines += ["", f"by {count.by}:"]
    lines += [f"  {row['group'] or '-':<28} {share_line(row)}" for row in count.rows]
    lines += ["", count.trend["sentence"], "", "at other cut-offs: " + "; ".join(
        f"{s['cutoff']:.1f}: {plural(s['councils_matched'], 'council')}, {plural(s['findings'], 'finding')}"
        for s in count.sensitivity), "", f"matched findings (first {min(show, len(count.findings))}):"]
    lines += finding_lines(count.findings, show)
    lines += ["", f"just below the cut-off ({min(show, len(count.borderline))} of the nearest):"]
    lines += finding_lines(count.borderline, show)
    return "\n".join(lines)
