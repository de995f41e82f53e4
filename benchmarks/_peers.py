"""Peer generators for the real-data benchmark, behind one interface.

Every adapter is fitted on one whole table, ``fit(frame)``, features and
target alike, with no condition, and draws rows with ``sample(n)``, a frame
with the training columns and dtypes:

- ``EmpiricalCopula``: a Gaussian copula on empirical margins, written here
  (no package), the classical baseline;
- ``SDVGaussianCopula``: SDV's ``GaussianCopulaSynthesizer``, defaults,
  metadata detected from the frame;
- ``CTGANPeer`` and ``TVAEPeer``: the ``ctgan`` package's models, defaults;
- ``TabularARGN``: MOSTLY AI's autoregressive model (``mostlyai-engine``),
  defaults, CPU, workspace under ``/tmp``;
- ``ForestDiffusion``: Jolicoeur-Martineau et al.'s forest flow
  (``forestdiffusion``), defaults; slow, small tables only.

``PEER_PACKAGES`` maps each peer to the distribution whose version and
licence the results page reports.
"""

import shutil
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from scipy.stats import rankdata

# Numeric columns with at most this many distinct values are drawn as codes.
FEW_VALUES = 10

PEER_PACKAGES = {
    "SDV GaussianCopula": "sdv",
    "CTGAN": "ctgan",
    "TVAE": "ctgan",
    "TabularARGN": "mostlyai-engine",
    "ForestDiffusion": "forestdiffusion",
}


def package_note(distribution):
    """``name version (licence)`` of an installed distribution."""
    try:
        meta = metadata.metadata(distribution)
    except metadata.PackageNotFoundError:
        return f"{distribution}: not installed"
    licence = meta.get("License-Expression") or meta.get("License") or ""
    if not licence or len(licence) > 40:
        classifiers = [
            value.split(" :: ")[-1]
            for value in meta.get_all("Classifier") or []
            if value.startswith("License ::")
        ]
        licence = ", ".join(classifiers) or (licence.splitlines() or [""])[0]
    if not licence and meta.get("License-File"):
        # Some packages name their licence only in the file they ship.
        text = metadata.distribution(distribution).read_text(meta["License-File"])
        licence = f"{(text or '?').strip().splitlines()[0]}, from its licence file"
    return f"{distribution} {meta['Version']} ({licence})"


def is_discrete(column):
    """Whether a column is a category, a boolean or strings."""
    dtype = column.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or not pd.api.types.is_numeric_dtype(dtype)
    )


def is_coded(column):
    """Whether the copula draws a column as codes rather than by quantiles."""
    return is_discrete(column) or column.nunique() <= FEW_VALUES


def restore(frame, dtypes):
    """Cast generated columns back to the training dtypes (NaN kept)."""
    out = {}
    for name, dtype in dtypes.items():
        column = frame[name]
        if isinstance(dtype, pd.CategoricalDtype):
            values = column.astype(object).where(column.notna(), None)
            lookup = {str(level): level for level in dtype.categories}
            column = pd.Categorical(
                [lookup.get(str(v)) if v is not None else None for v in values],
                dtype=dtype,
            )
        elif pd.api.types.is_bool_dtype(dtype):
            column = column.astype(str).isin(["True", "true", "1", "1.0"])
        elif pd.api.types.is_integer_dtype(dtype):
            numbers = pd.to_numeric(column, errors="coerce").round()
            column = numbers if numbers.isna().any() else numbers.astype(dtype)
        elif pd.api.types.is_numeric_dtype(dtype):
            column = pd.to_numeric(column, errors="coerce").astype(dtype)
        else:
            column = column.astype(dtype)
        out[name] = column
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


class EmpiricalCopula:
    """Gaussian copula on the empirical margins of every column.

    Numbers become normal scores through their ranks, ``(rank - 0.5) / n``;
    codes (categories, booleans, numbers with few values, a missing value
    being one more code) become the normal score of the middle of their
    cumulative frequency interval. One correlation matrix of the scores is
    the whole dependence model. Rows are drawn from that multivariate normal
    and mapped back: numbers through the training values' interpolated
    quantiles, codes by the frequency interval the uniform falls in. A
    number's missing values are drawn with its missing rate, independently.
    """

    name = "empirical copula"

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, frame):
        """Margins and the correlation of the normal scores."""
        self.dtypes_ = frame.dtypes.to_dict()
        self.margins_, scores = {}, []
        for name in frame.columns:
            column = frame[name]
            if is_coded(column):
                codes, levels = pd.factorize(
                    column.astype(object), use_na_sentinel=False
                )
                counts = np.bincount(codes, minlength=len(levels))
                upper = np.cumsum(counts) / len(codes)
                middle = (np.concatenate([[0.0], upper[:-1]]) + upper) / 2
                self.margins_[name] = ("codes", levels, upper)
                scores.append(ndtri(middle[codes]))
            else:
                observed = column.to_numpy(dtype=float)
                present = ~np.isnan(observed)
                score = np.zeros(len(observed))
                ranks = rankdata(observed[present])
                score[present] = ndtri((ranks - 0.5) / present.sum())
                values = np.sort(observed[present])
                self.margins_[name] = ("numbers", values, 1 - present.mean())
                scores.append(score)
        correlation = np.corrcoef(np.column_stack(scores), rowvar=False)
        correlation = np.nan_to_num(np.atleast_2d(correlation))
        np.fill_diagonal(correlation, 1.0)
        # Nearest positive semi-definite matrix, so the normal is well defined.
        eigenvalues, vectors = np.linalg.eigh(correlation)
        correlation = vectors * np.clip(eigenvalues, 1e-8, None) @ vectors.T
        scale = np.sqrt(np.diag(correlation))
        self.correlation_ = correlation / np.outer(scale, scale)
        self.rng_ = np.random.default_rng(self.random_state)
        return self

    def sample(self, n):
        """``n`` rows with the training columns and dtypes."""
        Z = self.rng_.multivariate_normal(
            np.zeros(len(self.margins_)), self.correlation_, size=n, method="eigh"
        )
        U = ndtr(Z)
        out = {}
        for j, (name, (kind, values, extra)) in enumerate(self.margins_.items()):
            if kind == "codes":
                index = np.searchsorted(extra, U[:, j], side="right")
                index = np.minimum(index, len(extra) - 1)
                out[name] = values.to_numpy(dtype=object)[index]
            else:
                drawn = np.quantile(values, U[:, j])
                drawn[self.rng_.random(n) < extra] = np.nan
                out[name] = drawn
        return restore(pd.DataFrame(out), self.dtypes_)


class SDVGaussianCopula:
    """SDV's ``GaussianCopulaSynthesizer`` with its defaults."""

    name = "SDV GaussianCopula"

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, frame):
        """Detect the metadata from the frame and fit."""
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer

        self.dtypes_ = frame.dtypes.to_dict()
        found = Metadata.detect_from_dataframes({"table": frame})
        self.model_ = GaussianCopulaSynthesizer(found)
        # SDV draws from numpy's global generator.
        np.random.seed(self.random_state)  # noqa: NPY002
        # SDV 2 takes and returns a dict of named tables, even for one table.
        self.model_.fit({"table": frame})
        return self

    def sample(self, n):
        """``n`` rows, seeded."""
        np.random.seed(self.random_state)  # noqa: NPY002
        table = self.model_.sample(num_rows=n)
        if isinstance(table, dict):
            table = table["table"]
        return restore(table.reset_index(drop=True), self.dtypes_)


class CTGANPeer:
    """CTGAN from the ``ctgan`` package, defaults, on the whole table."""

    name = "CTGAN"

    def __init__(self, random_state=0):
        self.random_state = random_state

    def _make_model(self):
        from ctgan import CTGAN

        return CTGAN(enable_gpu=False)

    def fit(self, frame):
        """Discrete columns (categories, booleans, strings) as strings."""
        self.dtypes_ = frame.dtypes.to_dict()
        discrete = [name for name in frame.columns if is_discrete(frame[name])]
        table = frame.astype({name: str for name in discrete})
        self.model_ = self._make_model()
        self.model_.set_random_state(self.random_state)
        self.model_.fit(table, discrete_columns=discrete)
        return self

    def sample(self, n):
        """``n`` rows with the training dtypes ("nan" strings become missing)."""
        table = self.model_.sample(n).replace({"nan": np.nan})
        return restore(table, self.dtypes_)


class TVAEPeer(CTGANPeer):
    """TVAE from the ``ctgan`` package, defaults."""

    name = "TVAE"

    def _make_model(self):
        from ctgan import TVAE

        return TVAE(enable_gpu=False)


class TabularARGN:
    """MOSTLY AI's TabularARGN through ``mostlyai.engine``, defaults, on CPU."""

    name = "TabularARGN"

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, frame):
        """split, analyze, encode and train in a fresh workspace under /tmp."""
        from mostlyai import engine

        self.dtypes_ = frame.dtypes.to_dict()
        self.workspace_ = Path(tempfile.mkdtemp(prefix="argn_", dir="/tmp"))
        engine.set_random_state(self.random_state)
        engine.split(
            workspace_dir=self.workspace_, tgt_data=frame, model_type="TABULAR"
        )
        engine.analyze(workspace_dir=self.workspace_)
        engine.encode(workspace_dir=self.workspace_)
        engine.train(workspace_dir=self.workspace_, device="cpu")
        return self

    def sample(self, n):
        """``n`` rows generated into the workspace, which is then removed."""
        from mostlyai import engine

        engine.set_random_state(self.random_state)
        engine.generate(workspace_dir=self.workspace_, sample_size=n, device="cpu")
        table = pd.read_parquet(self.workspace_ / "SyntheticData")
        shutil.rmtree(self.workspace_, ignore_errors=True)
        return restore(table.reset_index(drop=True), self.dtypes_)


class ForestDiffusion:
    """ForestDiffusion's forest flow with its defaults."""

    name = "ForestDiffusion"

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, frame):
        """Categories as integer codes; the package one-hot encodes them."""
        from ForestDiffusion import ForestDiffusionModel

        self.dtypes_ = frame.dtypes.to_dict()
        self.levels_, columns, categorical = {}, {}, []
        for j, name in enumerate(frame.columns):
            column = frame[name]
            if is_discrete(column):
                codes, levels = pd.factorize(column.astype(object))
                self.levels_[name] = levels
                columns[name] = np.where(codes < 0, np.nan, codes)
                categorical.append(j)
            else:
                columns[name] = column.to_numpy(dtype=float)
        self.model_ = ForestDiffusionModel(
            pd.DataFrame(columns).to_numpy(),
            cat_indexes=categorical,
            diffusion_type="flow",
            seed=self.random_state,
            n_jobs=1,
        )
        return self

    def sample(self, n):
        """``n`` rows, codes mapped back to their levels."""
        X = self.model_.generate(batch_size=n)
        out = {}
        for j, name in enumerate(self.dtypes_):
            if name in self.levels_:
                levels = self.levels_[name].to_numpy(dtype=object)
                codes = np.nan_to_num(X[:, j]).round().astype(int)
                out[name] = levels[np.clip(codes, 0, len(levels) - 1)]
            else:
                out[name] = X[:, j]
        return restore(pd.DataFrame(out), self.dtypes_)


PEERS = {
    peer.name: peer
    for peer in (
        EmpiricalCopula,
        SDVGaussianCopula,
        CTGANPeer,
        TVAEPeer,
        TabularARGN,
        ForestDiffusion,
    )
}
