"""What each ``findings`` subcommand does: read its options, call the library, print the outcome."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import asdict
from pathlib import Path

from corpus.collections import evaluation_groups
from findings.settings import Settings, get_settings


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
    if args.cluster is not None:
        settings.cluster = args.cluster
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
    """Search filters from command-line options.

    Raises:
        ValueError: the date range ends before it starts.
    """
    from findings.retrieval import Filters

    return Filters(label=args.label, council=args.council, collection=args.collection,
                   date_from=args.date_from, date_to=args.date_to, theme=args.theme, grade=args.grade,
                   outcome=args.outcome).check_dates()


def cmd_search(args: argparse.Namespace) -> int:
    """Hybrid search."""
    filters = filters_from(args)  # a wrong filter is told before the store opens
    hits = open_engine().search(args.text, k=args.k, filters=filters, one_per=args.one_per)
    print_hits(hits, args.json)
    return 0


def cmd_similar(args: argparse.Namespace) -> int:
    """Similar findings to a finding id or a text."""
    filters = filters_from(args)
    engine = open_engine()
    is_id = engine.finding(args.target) is not None
    hits = engine.similar(finding_id=args.target if is_id else None,
                          text=None if is_id else args.target, k=args.k,
                          filters=filters, exclude_same_council=args.other_councils)
    print_hits(hits, args.json)
    return 0


def cmd_count(args: argparse.Namespace) -> int:
    """Count the councils with findings matching a query."""
    from findings.relevance.counts import Counter
    from findings.relevance.report import count_text

    filters = filters_from(args)
    engine = open_engine()
    label, filters.label = filters.label, None
    result = Counter.open(engine, get_settings()).count(args.text, label=label, filters=filters,
                                                        cutoff=args.cutoff, by=args.by)
    print(json.dumps(result.as_dict(), ensure_ascii=False) if args.json else count_text(result, args.show))
    return 0


def interval_text(interval: list[float] | None) -> str:
    """An interval as "(low-high, resampled queries)", or nothing."""
    return f"({interval[0]:.3f}-{interval[1]:.3f}, resampled queries)" if interval else ""


def cmd_train_relevance(args: argparse.Namespace) -> int:
    """Fit the relevance model on graded queries; measure it by leave-one-query-out."""
    from findings.relevance.matcher import Matcher
    from findings.relevance.measure import chosen_cutoff, measured
    from findings.relevance.training import cross_validated, fit, judged_queries, read_judgments

    settings = get_settings()
    engine = open_engine()
    matcher = Matcher.open(engine, None, settings)
    path = Path(args.queries or settings.relevance_queries)
    queries = judged_queries(matcher, read_judgments(path))
    probabilities = cross_validated(queries)
    model = fit(queries)
    model.cutoff = chosen_cutoff(queries, probabilities)
    model.measured = measured(queries, probabilities)
    model.to_disk(args.out or settings.relevance_model)
    at = next(point for point in model.measured["curve"] if point["cutoff"] == model.cutoff)
    scores = model.measured["scores"]
    print(f"{len(queries)} queries, leave-one-query-out: cut-off {model.cutoff:.2f}, precision "
          f"{at['precision']:.3f} {interval_text(at['precision_interval'])} over "
          f"{at['judged_members']} judged members, recall {at['recall']:.3f} "
          f"{interval_text(at['recall_interval'])}, unjudged share {at['unjudged']:.3f}, "
          f"log loss {scores['log_loss']:.4f} and Brier score {scores['brier']:.4f} over "
          f"{scores['judged']} judged candidates -> {args.out or settings.relevance_model}")
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


def references_option(args: argparse.Namespace, settings: Settings) -> Path | None:
    """``--references``, else the setting; an empty value means the shared gold alone."""
    value = settings.gold_references if args.references is None else args.references
    return Path(value) if str(value) else None


def cmd_train(args: argparse.Namespace) -> int:
    """Train the pipeline from the gold units."""
    from findings.training import train

    settings = get_settings()
    summary = train(args.gold, args.corpus or settings.corpus, args.out or settings.model_dir,
                    seed=args.seed, progress=True, cache_dir=settings.cache_dir,
                    references_path=references_option(args, settings), **text_weight_option(args))
    print(json.dumps(summary, indent=1))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Council-grouped cross-validation with the official scorer."""
    from findings.training import evaluate, format_result

    settings = get_settings()
    result = evaluate(args.gold, args.corpus or settings.corpus, args.tools, folds=args.folds,
                      progress=True, references_path=references_option(args, settings),
                      predictions_out=args.predictions, **text_weight_option(args))
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
