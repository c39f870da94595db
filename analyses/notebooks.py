"""Execute the analysis notebooks top to bottom (nbclient), as CI and the closing note do.

Usage::

    python -m analyses.notebooks                 # run all, keep the files unchanged
    python -m analyses.notebooks --inplace       # run all and save them with their outputs
    python -m analyses.notebooks 05_grades       # run the notebooks whose names match

The kernel inherits the environment (``FINDINGS_DATA_DIR``, ``FINDINGS_NOTEBOOK_OUT`` ...).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from findings.settings import PROJECT_DIR

NOTEBOOK_DIR = PROJECT_DIR / "notebooks"


def notebook_paths(names: list[str] | None = None, folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The numbered notebooks in order, optionally only those whose stem contains a name."""
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if any(n in p.stem for n in names)]
    return paths


def run_notebook(path: Path, env: dict[str, str] | None = None, timeout: int = 1200,
                 save_to: Path | None = None):
    """Execute one notebook in its own folder; raises ``CellExecutionError`` on the first error.

    Args:
        path: the notebook.
        env: extra environment variables for the kernel (on top of this process's).
        timeout: seconds allowed per cell.
        save_to: where to write the executed notebook (``None``: not written).

    Returns:
        The executed notebook node.

    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env={**os.environ, **(env or {})})
    if save_to is not None:
        nbformat.write(notebook, save_to)
    return notebook


def main(argv: list[str] | None = None) -> int:
    """Run the notebooks named on the command line (all by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only notebooks whose name contains these")
    parser.add_argument("--inplace", action="store_true", help="save the executed notebooks")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    args = parser.parse_args(argv)
    for path in notebook_paths(args.names):
        start = time.perf_counter()
        run_notebook(path, timeout=args.timeout, save_to=path if args.inplace else None)
        print(f"{path.name}: ok in {time.perf_counter() - start:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
