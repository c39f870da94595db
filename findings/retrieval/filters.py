"""Restrictions on which findings a search may return (resolved to rowids by the store)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class Filters:
    """Restrictions on which findings may be returned (``None``: no restriction)."""

    label: str | None = None
    council: str | None = None
    collection: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    theme: str | None = None
    grade: str | None = None
    exclude_council: str | None = None
    outcome: str | None = None

    def values(self) -> dict[str, str | None]:
        """The filters by name (the keyword arguments of :func:`findings.store.reads.allowed_ids`)."""
        return asdict(self)

    def key(self) -> tuple:
        """The filter values, in field order (hashable: a cache key)."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def check_dates(self) -> Filters:
        """These filters, if their date range does not end before it starts.

        Raises:
            ValueError: ``date_to`` is before ``date_from``.
        """
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the range ends (date_to {self.date_to}) before it starts "
                             f"(date_from {self.date_from})")
        return self

    def active(self) -> bool:
        """Whether any filter is set."""
        return any(self.key())
