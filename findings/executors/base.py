"""The executor interface: a task mapped over items by workers that set themselves up once."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkerSetup:
    """What each worker runs once before its first task, e.g. loading the pipeline into a global.

    ``function`` must be importable by the workers (a module-level function), as must the task.
    """

    function: Callable[..., None]
    args: tuple = ()

    def __call__(self) -> None:
        """Run the set-up in this process."""
        self.function(*self.args)


class Executor(ABC):
    """Runs a build step's per-document tasks and gives back their results in the items' order.

    The results come back to the building process, which alone writes the store: the order of
    the items is the order of the writes, so every executor builds the same store.
    """

    name: str = ""
    distributed: bool = False  # False: work that is cheaper in the building process stays there

    @property
    def dashboard(self) -> str | None:
        """Where to watch the workers (a URL), if the engine has a dashboard."""
        return None

    @property
    def workers(self) -> int:
        """How many workers the tasks run on."""
        return 1

    @abstractmethod
    def map(self, task: Callable, items: Sequence, *, setup: WorkerSetup | None = None,
            chunksize: int = 1) -> Iterator:
        """``task(item)`` for every item, yielded in the items' order.

        Args:
            task: a module-level function of one item.
            items: the items.
            setup: run once by each worker before its first task.
            chunksize: items sent to a worker at a time.

        """

    def close(self) -> None:  # noqa: B027  (an executor may have nothing to release)
        """Release the workers."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
