"""The ``findings`` command: its parser and entry point (each subcommand is in :mod:`findings.commands`)."""

from __future__ import annotations

import argparse
import errno
import os
import sqlite3
import sys
import warnings
from collections.abc import Callable

from corpus.collections import collection_ids, outcome_values, vocabulary_spelling
from corpus.metadata import calendar_day
from findings.commands import (
    cmd_build,
    cmd_check,
    cmd_count,
    cmd_evaluate,
    cmd_export,
    cmd_ingest,
    cmd_remove,
    cmd_search,
    cmd_segment,
    cmd_serve,
    cmd_similar,
    cmd_train,
    cmd_train_relevance,
)
from findings.settings import get_settings
from nlp.labels import FINDING_LABELS


def any_case(values: tuple[str, ...]) -> Callable[[str], str]:
    """An option type giving a value as ``values`` spell it; an unknown value is left to ``choices``."""
    return lambda value: vocabulary_spelling(value, values) or value


def day_option(value: str) -> str:
    """An option type for a ``YYYY-MM-DD`` date that exists (as the API's date parameters)."""
    try:
        return calendar_day(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_filter_options(parser: argparse.ArgumentParser, hits: bool = True) -> None:
    """Options shared by search, similar and count (``hits``: the number of hits, -k).

    Enumerated values are matched in any case, as the API matches them. A count's dates bound each
    report's date, a search's the publication date.
    """
    parser.add_argument("--label", choices=FINDING_LABELS, type=any_case(FINDING_LABELS))
    parser.add_argument("--council")
    parser.add_argument("--collection", choices=collection_ids(), type=any_case(collection_ids()))
    parser.add_argument("--outcome", choices=outcome_values(), type=any_case(outcome_values()),
                        help="an area SEND inspection's outcome")
    parser.add_argument("--theme")
    parser.add_argument("--grade", help="the report's overall effectiveness grade (e.g. good, inadequate)")
    dated = "publication date" if hits else "report date: its inspection's end, else its publication"
    parser.add_argument("--from", dest="date_from", type=day_option, help=f"earliest {dated} (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", type=day_option, help=f"latest {dated} (YYYY-MM-DD)")
    if hits:
        parser.add_argument("-k", type=int, default=10, help="number of hits (default 10)")
    parser.add_argument("--json", action="store_true", help="JSON: one line per hit (a count: one object)")


def add_store_commands(sub: argparse._SubParsersAction) -> None:
    """``ingest``, ``segment``, ``build`` and ``export``: making and reading the store."""
    p = sub.add_parser("ingest", help="read reports into the store")
    p.add_argument("paths", nargs="*", help="loose files or folders (default: the manifest)")
    p.add_argument("--corpus", help="corpus folder with reports.csv")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("segment", help="segment report files into findings (JSON lines)")
    p.add_argument("files", nargs="+")
    p.add_argument("--out", help="output file (default: standard output)")
    p.add_argument("--findings-only", action="store_true",
                   help="leave out the units labelled other (by default every unit is written)")
    p.set_defaults(func=cmd_segment)
    p = sub.add_parser("build", help="ingest, segment, embed and index the corpus")
    p.add_argument("paths", nargs="*", help="loose files or folders instead of the manifest")
    p.add_argument("--corpus", help="corpus folder with reports.csv")
    p.add_argument("--prune", action="store_true",
                   help="remove stored documents no longer in the manifest (or the paths given)")
    p.add_argument("--cluster", metavar="ADDRESS|local:N",
                   help="run the per-document work on a Dask cluster: a scheduler's address, or local:N "
                        "for N local workers (default FINDINGS_CLUSTER; none: local processes)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("check", help="verify the store and say what build would repair")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("remove", help="remove documents and everything derived from them")
    p.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    p.set_defaults(func=cmd_remove)
    p = sub.add_parser("export", help="write the findings table to Parquet")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_export)


def add_search_commands(sub: argparse._SubParsersAction) -> None:
    """``search``, ``similar`` and ``serve``: asking the store."""
    p = sub.add_parser("search", help="hybrid search over findings")
    p.add_argument("text")
    p.add_argument("--one-per", choices=("report", "council"))
    add_filter_options(p)
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("similar", help="findings similar to a finding id or a text")
    p.add_argument("target", help="a finding id or free text")
    p.add_argument("--other-councils", action="store_true", help="exclude the same council")
    add_filter_options(p)
    p.set_defaults(func=cmd_similar)
    p = sub.add_parser("count", help="count the councils with findings matching a query")
    p.add_argument("text")
    p.add_argument("--by", choices=("year", "collection", "region"), default="year")
    p.add_argument("--cutoff", type=float, help="probability a match reaches (default: the model's, "
                   "chosen for precision 0.90 on the dev queries)")
    p.add_argument("--show", type=int, default=10, help="matched findings printed (text output)")
    add_filter_options(p, hits=False)
    p.set_defaults(func=cmd_count)
    p = sub.add_parser("serve", help="serve the API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, help="worker processes (default FINDINGS_API_WORKERS, 2)")
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_serve)


def add_model_commands(sub: argparse._SubParsersAction) -> None:
    """``train`` and ``evaluate``: the finding classifier."""
    for name, func in (("train", cmd_train), ("evaluate", cmd_evaluate)):
        p = sub.add_parser(name, help=f"{name} the finding classifier on the gold units")
        p.add_argument("--gold", default="../shared/gold/findings-dev.jsonl")
        p.add_argument("--corpus", help="corpus folder with reports.csv")
        p.add_argument("--references", help="the project's labelled units as references (default "
                       "FINDINGS_GOLD_REFERENCES, corpus/gold_references.jsonl; '' for none)")
        p.add_argument("--text-weight", type=float, default=None,
                       help="weight of the fine-tuned text scorer against the classifier (default 0.5, "
                            "measured best; 0 leaves the scorer out, see models/README.md)")
        p.set_defaults(func=func)
    sub.choices["train"].add_argument("--out", help="where to save the pipeline")
    p = sub.add_parser("train-relevance", help="fit the counts' relevance model on graded queries")
    p.add_argument("--queries", help="graded queries (default FINDINGS_RELEVANCE_QUERIES)")
    p.add_argument("--out", help="where to save the model (default FINDINGS_RELEVANCE_MODEL)")
    p.set_defaults(func=cmd_train_relevance)
    sub.choices["train"].add_argument("--seed", type=int, default=0)
    sub.choices["evaluate"].add_argument("--tools", default="../shared/tools")
    sub.choices["evaluate"].add_argument("--folds", type=int, default=5)
    sub.choices["evaluate"].add_argument("--predictions", help="write the cross-validated predictions "
                                         "(JSON lines: doc_id, text, label) to this file")


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``findings`` command."""
    main_parser = argparse.ArgumentParser(prog="findings", description=__doc__)
    sub = main_parser.add_subparsers(dest="command", required=True)
    add_store_commands(sub)
    add_search_commands(sub)
    add_model_commands(sub)
    return main_parser


def silence_stdout() -> None:
    """Point standard output at the null device (the Python docs' advice for SIGPIPE).

    The interpreter's final flush of a closed pipe then raises nothing.
    """
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (e.g. captured)
        return
    os.dup2(os.open(os.devnull, os.O_WRONLY), descriptor)


def operational_message(exc: BaseException) -> str:
    """One line saying what went wrong with the store or the disk, for an operator."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "database or disk is full" in str(exc):
        return "the disk is full: free some space and run the command again"
    if isinstance(exc, OSError) and exc.errno == errno.EROFS or "readonly database" in str(exc):
        return "the store is on a read-only file system: this command needs to write to it"
    if "unable to open database file" in str(exc):
        folder = get_settings().data_dir
        if folder.is_dir() and not os.access(folder, os.W_OK):
            return "the store is on a read-only file system: this command needs to write to it"
        return f"cannot open the store's database in {folder} (check that the folder can be written)"
    if "database is locked" in str(exc):
        return "the store is busy (another process is writing to it): try again when it is done"
    if isinstance(exc, PermissionError):
        return f"permission denied: {exc.filename or exc}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``findings`` console script.

    Expected failures (a missing store, bad input, a locked or full or read-only store) end with
    one line on standard error and exit status 2, never a traceback.
    """
    args = parser().parse_args(argv)
    warnings.formatwarning = lambda message, category, *rest, **more: f"warning: {message}\n"
    try:
        return args.func(args)
    except BrokenPipeError:  # the reader went away (`findings search ... | head`): stop quietly
        silence_stdout()
        return 1
    except (OSError, KeyError, ValueError, RuntimeError, sqlite3.Error) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else operational_message(exc)
        print(f"findings {args.command}: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
