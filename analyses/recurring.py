"""Recurring weaknesses: findings clustered across councils into named groups with prevalence.

Weakness embeddings are clustered with k-means (unit vectors, so close to spherical k-means).
A finding *fits* its group when its cosine similarity to the group centroid reaches
``fit_threshold``; groups found in fewer than ``min_councils`` councils are dissolved. Findings
that fit no group are kept with group ``-1`` (unclustered) so they can be counted and shown.
Groups are named by their most characteristic terms (class-based TF-IDF) and described by the
finding nearest the centroid.

Prevalence of a group in a period = councils with at least one finding in the group among the
councils inspected in that period (any report in the store, same collections).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNCLUSTERED = -1
DOMAIN_STOPWORDS = ("children", "child", "young", "people", "does", "local", "authority",
                    "council", "councils", "ensure", "need", "needs")
PROVENANCE = ["council", "doc_id", "published", "page", "text", "source_url"]


def n_groups_for(n: int, max_groups: int = 60, per_group: int = 25) -> int:
    """A default number of k-means groups for ``n`` findings (at least 1)."""
    return int(max(1, min(max_groups, n // per_group)))


def cluster_findings(findings: pd.DataFrame, embeddings: np.ndarray, n_groups: int | None = None,
                     fit_threshold: float = 0.55, min_councils: int = 2,
                     seed: int = 0) -> pd.DataFrame:
    """Assign each finding to a group or to ``UNCLUSTERED``.

    Args:
        findings: the findings to cluster (e.g. the weaknesses), any index.
        embeddings: unit vectors aligned with ``findings`` rows.
        n_groups: k for k-means (default from :func:`n_groups_for`).
        fit_threshold: minimum cosine similarity to the group centroid to belong to it.
        min_councils: groups seen in fewer councils are dissolved.
        seed: k-means random state.

    Returns:
        ``findings`` with ``group`` (int) and ``fit`` (similarity to the centroid) columns.

    """
    from sklearn.cluster import KMeans

    out = findings.copy()
    if len(out) == 0:
        return out.assign(group=pd.Series(dtype=int), fit=pd.Series(dtype=float))
    k = min(n_groups or n_groups_for(len(out)), len(out))
    model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(embeddings)
    centroids = model.cluster_centers_ / np.linalg.norm(model.cluster_centers_, axis=1,
                                                        keepdims=True).clip(1e-12)
    fit = np.einsum("ij,ij->i", embeddings, centroids[model.labels_])
    groups = np.where(fit >= fit_threshold, model.labels_, UNCLUSTERED)
    out["group"], out["fit"] = groups, fit.round(4)
    councils = out[out["group"] != UNCLUSTERED].groupby("group")["council"].nunique()
    small = councils[councils < min_councils].index
    out.loc[out["group"].isin(small), "group"] = UNCLUSTERED
    return renumber_by_size(out)


def renumber_by_size(clustered: pd.DataFrame) -> pd.DataFrame:
    """Renumber groups 0, 1, ... from the largest; unclustered stays ``-1``."""
    sizes = clustered.loc[clustered["group"] != UNCLUSTERED, "group"].value_counts()
    mapping = {old: new for new, old in enumerate(sizes.index)}
    mapping[UNCLUSTERED] = UNCLUSTERED
    return clustered.assign(group=clustered["group"].map(mapping).astype(int))


def characteristic_terms(texts_by_group: dict[int, str], top: int = 5) -> dict[int, list[str]]:
    """The most characteristic terms of each group by class-based TF-IDF.

    Args:
        texts_by_group: all texts of a group joined into one string, by group.
        top: how many terms to keep per group.

    """
    from sklearn.feature_extraction.text import CountVectorizer

    groups = list(texts_by_group)
    if not groups:
        return {}
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop_words = sorted(ENGLISH_STOP_WORDS.union(DOMAIN_STOPWORDS))
    vectorizer = CountVectorizer(stop_words=stop_words, ngram_range=(1, 2), min_df=1,
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    try:
        counts = vectorizer.fit_transform([texts_by_group[g] for g in groups]).toarray()
    except ValueError:  # nothing but stop words
        return {g: [] for g in groups}
    tf = counts / counts.sum(axis=1, keepdims=True).clip(1)
    idf = np.log(1 + counts.sum(axis=1).mean() / counts.sum(axis=0).clip(1))
    scores = tf * idf
    terms = vectorizer.get_feature_names_out()
    return {g: [terms[j] for j in np.argsort(-scores[i])[:top] if scores[i, j] > 0]
            for i, g in enumerate(groups)}


def describe_groups(clustered: pd.DataFrame, top_terms: int = 4) -> pd.DataFrame:
    """One row per group: name (characteristic terms), size, councils, reports, representative.

    Args:
        clustered: output of :func:`cluster_findings`.
        top_terms: number of terms in the name.

    """
    members = clustered[clustered["group"] != UNCLUSTERED]
    columns = ["group", "name", "findings", "councils", "reports", "representative"]
    if members.empty:
        return pd.DataFrame(columns=columns)
    texts = members.groupby("group")["text"].apply(" ".join).to_dict()
    names = characteristic_terms(texts, top_terms)
    best = members.loc[members.groupby("group")["fit"].idxmax()].set_index("group")["text"]
    table = members.groupby("group").agg(findings=("id", "size"), councils=("council", "nunique"),
                                         reports=("doc_id", "nunique"))
    table["name"] = [" / ".join(names.get(g, [])) for g in table.index]
    table["representative"] = best.reindex(table.index)
    return table.reset_index()[columns]


def inspected_councils(reports: pd.DataFrame, start=None, end=None,
                       collections: list[str] | None = None) -> set[str]:
    """Councils with at least one report published in ``[start, end]`` (the denominator)."""
    keep = reports["council"].notna()
    if collections is not None:
        keep &= reports["collection"].isin(collections)
    if start is not None:
        keep &= reports["published"] >= pd.Timestamp(start)
    if end is not None:
        keep &= reports["published"] <= pd.Timestamp(end)
    return set(reports.loc[keep, "council"])


def prevalence(clustered: pd.DataFrame, reports: pd.DataFrame, start=None, end=None,
               collections: list[str] | None = None) -> pd.DataFrame:
    """Share of councils inspected in the period with at least one finding in each group.

    Args:
        clustered: output of :func:`cluster_findings`.
        reports: one row per report (the denominator comes from here).
        start: first publication date of the period (inclusive; ``None`` = open).
        end: last publication date of the period (inclusive; ``None`` = open).
        collections: restrict the denominator to these collections (default: those of
            ``clustered``).

    Returns:
        ``group``, ``councils_with``, ``councils_inspected``, ``prevalence``; largest groups first.

    """
    collections = collections or sorted(clustered["collection"].dropna().unique())
    inspected = inspected_councils(reports, start, end, collections)
    rows = clustered[(clustered["group"] != UNCLUSTERED) & clustered["council"].isin(inspected)]
    if start is not None:
        rows = rows[rows["published"] >= pd.Timestamp(start)]
    if end is not None:
        rows = rows[rows["published"] <= pd.Timestamp(end)]
    groups = sorted(set(clustered["group"]) - {UNCLUSTERED})
    with_group = rows.groupby("group")["council"].nunique().reindex(groups, fill_value=0)
    denominator = len(inspected)
    share = with_group / denominator if denominator else with_group * np.nan
    return pd.DataFrame({"group": groups, "councils_with": with_group.values,
                         "councils_inspected": denominator, "prevalence": share.round(3).values})


def prevalence_by_year(clustered: pd.DataFrame, reports: pd.DataFrame,
                       groups: list[int] | None = None) -> pd.DataFrame:
    """Prevalence of each group per publication year (the trend), as a years × groups table."""
    groups = groups if groups is not None else sorted(set(clustered["group"]) - {UNCLUSTERED})
    years = sorted(reports["published"].dt.year.dropna().astype(int).unique())
    table = {}
    for year in years:
        start, end = f"{year}-01-01", f"{year}-12-31"
        share = prevalence(clustered, reports, start, end).set_index("group")["prevalence"]
        table[year] = share.reindex(groups)
    return pd.DataFrame(table, index=groups).T.rename_axis("year")


def group_table(clustered: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """Groups described (:func:`describe_groups`) with their prevalence over the whole period."""
    table = describe_groups(clustered).merge(prevalence(clustered, reports), on="group", how="left")
    return table.sort_values("findings", ascending=False).reset_index(drop=True)


def group_examples(clustered: pd.DataFrame, group: int, n: int = 6) -> pd.DataFrame:
    """Findings of one group with provenance, at most one per council, best fitting first."""
    members = clustered[clustered["group"] == group].sort_values("fit", ascending=False)
    return members.drop_duplicates("council").head(n)[PROVENANCE + ["fit"]].reset_index(drop=True)


def unclustered(clustered: pd.DataFrame, n: int = 10, seed: int = 0) -> tuple[int, pd.DataFrame]:
    """How many findings fit no group, and a random sample of them with provenance."""
    rest = clustered[clustered["group"] == UNCLUSTERED]
    sample = rest.sample(min(n, len(rest)), random_state=seed) if len(rest) else rest
    return len(rest), sample[PROVENANCE + ["fit"]].reset_index(drop=True)
