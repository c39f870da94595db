"""The ``findings`` command: thin wrappers over the library, one subcommand each."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sqlite3
import sys
import textwrap
import warnings
from dataclasses import asdict
from pathlib import Path

from corpus.collections import collection_ids, evaluation_groups
from findings.settings import get_settings
from nlp.labels import FINDING_LABELS


def cmd_ingest(args: argparse.Namespace) -> int:
    """Read reports into the store."""
    from findings.ingest import ingest
    from findings.store import connect

    settings = get_settings()
    conn = connect(settings.db_path)
    try:
        report = ingest(conn, args.corpus or settings.corpus, args.paths, settings.workers)
    finally:
        conn.close()
    for doc_id, reason in sorted(report.refused.items()):
        print(f"refused {doc_id}: {reason}", file=sys.stderr)
    for doc_id, warning in sorted(report.warnings.items()):
        print(f"warning {doc_id}: {warning}", file=sys.stderr)
    print(f"ingested {len(report.added)}, unchanged {len(report.unchanged)}, "
          f"refused {len(report.refused)}")
    return 0


def cmd_segment(args: argparse.Namespace) -> int:
    """Segment files into findings (JSON lines)."""
    from findings.segment import segment_files
    from nlp.pipeline import load_pipeline

    settings = get_settings()
    pipeline = load_pipeline(settings.model_dir, settings.cache_dir)
    found, refused = segment_files(args.files, pipeline, settings.corpus,
                                   include_other=not args.findings_only)
    for path, reason in refused.items():
        print(f"refused {path}: {reason}", file=sys.stderr)
    lines = "".join(json.dumps(f.as_dict(), ensure_ascii=False) + "\n" for f in found)
    if args.out and (found or len(refused) < len(set(args.files))):  # nothing read: no output file
        Path(args.out).write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
    n_findings = sum(f.label != "other" for f in found)
    print(f"{len(found)} units ({n_findings} findings) from {len(args.files) - len(refused)} files"
          + (f" -> {args.out}" if args.out else ""), file=sys.stderr)
    return 1 if len(refused) == len(set(args.files)) else 0  # fail only when nothing was read


def cmd_build(args: argparse.Namespace) -> int:
    """Ingest, segment, embed and index."""
    from findings.build import build

    settings = get_settings()
    if args.corpus:
        settings.corpus = Path(args.corpus)
    print(f"store: {settings.data_dir.resolve()}", file=sys.stderr)
    report = build(settings, args.paths, prune=args.prune)
    refused = {**report.ingest.refused, **report.segment.refused}
    for doc_id, reason in sorted(refused.items()):
        print(f"refused {doc_id}: {reason}", file=sys.stderr)
    for doc_id, warning in sorted(report.ingest.warnings.items()):
        print(f"warning {doc_id}: {warning}", file=sys.stderr)
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
    print(f"documents added {len(report.ingest.added)}, unchanged {len(report.ingest.unchanged)}, "
          f"refused {len(refused)}" + (f", removed {len(report.removed)}" if args.prune else "")
          + f"; segmented {report.segment.segmented}; embedded {report.embedded}; "
          f"index {'rewritten' if report.index_written else 'current'}; "
          f"{report.findings} findings ({timing})")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Verify the store; say what a build would repair."""
    from findings.check import check

    settings = get_settings()
    problems = check(settings)
    for problem in problems:
        print(f"{problem.what}: {problem.repair}")
    print(f"store {settings.data_dir.resolve()}: " + (f"{len(problems)} problems" if problems else "ok"))
    return 1 if problems else 0


def cmd_remove(args: argparse.Namespace) -> int:
    """Remove documents and everything derived from them."""
    from findings.build import remove

    removed = remove(get_settings(), args.doc_ids)
    for doc_id in sorted(set(args.doc_ids) - set(removed)):
        print(f"not in the store: {doc_id}", file=sys.stderr)
    print(f"removed {len(removed)} documents")
    return 0 if removed or not args.doc_ids else 1


def open_engine():
    """The search engine over the built store and index."""
    from findings.retrieval import SearchEngine

    return SearchEngine.open(get_settings())


def print_hits(hits: list, as_json: bool) -> None:
    """Hits as JSON lines or a readable table."""
    for rank, hit in enumerate(hits, start=1):
        if as_json:
            print(json.dumps(asdict(hit), ensure_ascii=False))
            continue
        text = hit.text
        for start, end in reversed(hit.highlights):
            text = f"{text[:start]}\033[1m{text[start:end]}\033[0m{text[end:]}"
        where = f"{hit.council or '?'} {hit.published or ''} p.{hit.page} {hit.doc_id}"
        print(f"{rank:>2}. [{hit.label}] {hit.score:.4f}  {where}")
        print(textwrap.indent(textwrap.fill(text, 100), "    "))


def filters_from(args: argparse.Namespace):
    """Search filters from command-line options."""
    from findings.retrieval import Filters

    return Filters(label=args.label, council=args.council, collection=args.collection,
                   date_from=args.date_from, date_to=args.date_to, theme=args.theme, grade=args.grade)


def cmd_search(args: argparse.Namespace) -> int:
    """Hybrid search."""
    hits = open_engine().search(args.text, k=args.k, filters=filters_from(args), one_per=args.one_per)
    print_hits(hits, args.json)
    return 0


def cmd_similar(args: argparse.Namespace) -> int:
    """Similar findings to a finding id or a text."""
    engine = open_engine()
    is_id = engine.finding(args.target) is not None
    hits = engine.similar(finding_id=args.target if is_id else None,
                          text=None if is_id else args.target, k=args.k,
                          filters=filters_from(args), exclude_same_council=args.other_councils)
    print_hits(hits, args.json)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write findings to Parquet."""
    from findings.store import connect
    from findings.store.export import export_parquet

    conn = connect(get_settings().db_path, read_only=True)
    try:
        rows = export_parquet(conn, args.out)
    finally:
        conn.close()
    print(f"{rows} findings -> {args.out}")
    return 0


def text_weight_option(args: argparse.Namespace) -> dict:
    """``--text-weight`` as a keyword argument, or nothing (the library default) when not given."""
    return {} if args.text_weight is None else {"text_weight": args.text_weight}


def cmd_train(args: argparse.Namespace) -> int:
    """Train the pipeline from the gold units."""
    from findings.training import train

    settings = get_settings()
    summary = train(args.gold, args.corpus or settings.corpus, args.out or settings.model_dir,
                    seed=args.seed, progress=True, cache_dir=settings.cache_dir, **text_weight_option(args))
    print(json.dumps(summary, indent=1))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Council-grouped cross-validation with the official scorer."""
    from findings.training import evaluate, format_result

    settings = get_settings()
    result = evaluate(args.gold, args.corpus or settings.corpus, args.tools, folds=args.folds,
                      progress=True, **text_weight_option(args))
    titles = {"all": "all gold documents (council-grouped CV)", **evaluation_groups()}
    print("\n\n".join(f"== {titles[group]} ==\n{format_result(scores)}" for group, scores in result.items()))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API (each worker process loads its own engine)."""
    import uvicorn

    settings = get_settings()
    print(f"store: {settings.data_dir.resolve()}", file=sys.stderr)
    uvicorn.run("api.main:app", host=args.host, port=args.port, workers=args.workers or settings.api_workers,
                log_level=args.log_level, http="api.server:BoundedHttpToolsProtocol",
                limit_concurrency=settings.server_concurrency or None)
    return 0


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by search and similar."""
    parser.add_argument("--label", choices=FINDING_LABELS)
    parser.add_argument("--council")
    parser.add_argument("--collection", choices=collection_ids())
    parser.add_argument("--theme")
    parser.add_argument("--grade", help="the report's overall effectiveness grade (e.g. good, inadequate)")
    parser.add_argument("--from", dest="date_from", help="earliest publication date (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", help="latest publication date (YYYY-MM-DD)")
    parser.add_argument("-k", type=int, default=10, help="number of hits (default 10)")
    parser.add_argument("--json", action="store_true", help="one JSON line per hit")


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
        p.add_argument("--text-weight", type=float, default=None,
                       help="weight of the fine-tuned text scorer against the classifier (default 0.3, "
                            "measured best; 0 leaves the scorer out, see models/README.md)")
        p.set_defaults(func=func)
    sub.choices["train"].add_argument("--out", help="where to save the pipeline")
    sub.choices["train"].add_argument("--seed", type=int, default=0)
    sub.choices["evaluate"].add_argument("--tools", default="../shared/tools")
    sub.choices["evaluate"].add_argument("--folds", type=int, default=5)


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
