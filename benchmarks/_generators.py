"""One interface over every generator the benchmarks compare.

An adapter is fitted on features and labels, ``fit(X, y)``, and then draws
labelled rows, ``sample(n)`` returning ``(X, y)``, or rows of one class,
``sample_class(label, n)``. Frames come back with the training columns and
dtypes, so the same metrics and classifiers run on every generator's output.

- ``Bootstrap``: the training rows drawn with replacement, a memoriser that
  the distance-to-closest-record check must flag;
- ``Marginals``: every column drawn on its own (within the class for
  ``sample_class``), which keeps each marginal and loses every dependency,
  the floor;
- ``CTGANAdapter`` and ``TVAEAdapter``: the ``ctgan`` package's models, fitted
  on the features and the label as one table (the label a discrete column),
  as their users do; rows of one class are drawn by rejection (CTGAN
  conditioned on the class, which only raises its odds), and from a model of
  that class alone when the joint model almost never generates it.

- ``SkgenVAE``: ``skgen.VAE(conditional=True)`` with its defaults and the
  same maximum number of epochs; rows of a class come from the class's prior.
- ``SkgenGAN``: ``skgen.GAN`` fitted on the features conditioned on the
  label, with its defaults and the same epochs and batch size as CTGAN; rows
  of a class come from the generator conditioned on it.
"""

import numpy as np
import pandas as pd

LABEL = "target"

# Rounds of rejection sampling before a class counts as out of reach.
MAX_ROUNDS = 20


def restore_dtypes(X, dtypes):
    """Cast the columns of a generated frame back to the training dtypes."""
    out = {}
    for name, dtype in dtypes.items():
        column = X[name]
        if isinstance(dtype, pd.CategoricalDtype):
            column = pd.Categorical(column.astype(dtype.categories.dtype), dtype=dtype)
        elif pd.api.types.is_bool_dtype(dtype):
            column = column.astype(str).map({"True": True, "False": False}).astype(bool)
        elif pd.api.types.is_integer_dtype(dtype):
            column = column.astype("float64").round().astype(dtype)
        else:
            column = column.astype(dtype)
        out[name] = column
    return pd.DataFrame(out, index=pd.RangeIndex(len(X)))


class Bootstrap:
    """The training rows, drawn with replacement."""

    name = "bootstrap (copies)"

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, X, y):
        """Keep the rows."""
        self.X_, self.y_ = X.reset_index(drop=True), pd.Series(np.asarray(y))
        self.rng_ = np.random.default_rng(self.random_state)
        return self

    def sample(self, n):
        """Rows drawn with replacement, with their labels."""
        rows = self.rng_.integers(0, len(self.X_), n)
        return self.X_.iloc[rows].reset_index(drop=True), self.y_.iloc[rows].to_numpy()

    def sample_class(self, label, n):
        """Rows of one class drawn with replacement."""
        rows = np.flatnonzero(self.y_.to_numpy() == label)
        return self.X_.iloc[self.rng_.choice(rows, n)].reset_index(drop=True)


class Marginals(Bootstrap):
    """Every column drawn independently of the others."""

    name = "independent marginals"

    def _draw(self, X, n):
        """``n`` rows whose columns are drawn one by one from ``X``."""
        return pd.DataFrame(
            {
                name: X[name].iloc[self.rng_.integers(0, len(X), n)].to_numpy()
                for name in X.columns
            }
        ).astype(X.dtypes.to_dict())

    def sample(self, n):
        """Columns and label drawn independently."""
        rows = self.rng_.integers(0, len(self.y_), n)
        return self._draw(self.X_, n), self.y_.iloc[rows].to_numpy()

    def sample_class(self, label, n):
        """Columns drawn independently within one class."""
        return self._draw(self.X_[self.y_.to_numpy() == label], n)


class _SDVModel:
    """Shared parts of the CTGAN and TVAE adapters."""

    def __init__(self, epochs=300, batch_size=500, random_state=0):
        self.epochs = epochs
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the model on the features and the label as one table."""
        self.dtypes_ = X.dtypes.to_dict()
        self.labels_ = {str(label): label for label in np.unique(y)}
        discrete = [
            name
            for name, dtype in self.dtypes_.items()
            if not pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype)
        ]
        # ctgan's transformers take strings for discrete columns.
        table = X.reset_index(drop=True).astype({name: str for name in discrete})
        table[LABEL] = np.asarray(y).astype(str)
        self.discrete_ = discrete
        self.table_ = table
        self.model_ = self._fitted_model(table, [*discrete, LABEL])
        self.class_models_ = {}
        return self

    def _fitted_model(self, table, discrete):
        """A new model, seeded and fitted on ``table``."""
        model = self._make_model()
        model.set_random_state(self.random_state)
        model.fit(table, discrete_columns=discrete)
        return model

    def _split(self, table):
        """Features with the training dtypes, and labels."""
        y = table[LABEL].map(self.labels_).to_numpy()
        return restore_dtypes(table.drop(columns=LABEL), self.dtypes_), y

    def sample(self, n):
        """Rows and labels from the joint model."""
        return self._split(self.model_.sample(n))

    def _sample_round(self, label, n):
        """One batch of candidate rows for a class."""
        return self.model_.sample(n)

    def sample_class(self, label, n):
        """``n`` rows whose generated label is ``label``, by rejection.

        When the joint model almost never generates the class (it happens to
        TVAE on a dozen rows), the rest come from a model fitted on the rows
        of that class alone, as a user would do next; ``class_models_`` tells
        which classes needed one.
        """
        kept, found = [], 0
        for _ in range(MAX_ROUNDS):
            table = self._sample_round(label, max(2 * n, 1000))
            table = table[table[LABEL] == str(label)]
            kept.append(table)
            found += len(table)
            if found >= n:
                break
        else:
            rows = self.table_[self.table_[LABEL] == str(label)]
            model = self._fitted_model(rows.drop(columns=LABEL), self.discrete_)
            self.class_models_[label] = model
            extra = model.sample(n - found)
            kept.append(extra.assign(**{LABEL: str(label)}))
        X, _ = self._split(pd.concat(kept, ignore_index=True).iloc[:n])
        return X


class CTGANAdapter(_SDVModel):
    """CTGAN from the ``ctgan`` package."""

    name = "CTGAN"

    def _make_model(self):
        from ctgan import CTGAN

        return CTGAN(epochs=self.epochs, batch_size=self.batch_size, enable_gpu=False)

    def _sample_round(self, label, n):
        """Candidates drawn with the class as CTGAN's condition."""
        return self.model_.sample(n, condition_column=LABEL, condition_value=str(label))


class TVAEAdapter(_SDVModel):
    """TVAE from the ``ctgan`` package."""

    name = "TVAE"

    def _make_model(self):
        from ctgan import TVAE

        return TVAE(epochs=self.epochs, batch_size=self.batch_size, enable_gpu=False)


class SkgenVAE:
    """skgen's VAE, conditional on the class."""

    name = "skgen VAE"

    def __init__(self, epochs=300, random_state=0):
        self.epochs = epochs
        self.random_state = random_state

    def fit(self, X, y):
        """Fit ``VAE(conditional=True)`` with its defaults and ``epochs``."""
        from skgen import VAE

        self.model_ = VAE(
            conditional=True, max_epochs=self.epochs, random_state=self.random_state
        ).fit(X, np.asarray(y))
        self.rng_ = np.random.default_rng(self.random_state)
        return self

    def sample(self, n):
        """Rows of classes drawn in the training proportions, and the classes."""
        model = self.model_
        y = self.rng_.choice(model.classes_, size=n, p=model.class_prior_)
        X = model.sample(n, y=y, random_state=self.random_state)
        return X, y

    def sample_class(self, label, n):
        """Rows of one class."""
        return self.model_.sample(n, y=label, random_state=self.random_state)


class SkgenGAN(SkgenVAE):
    """skgen's GAN, conditioned on the class."""

    name = "skgen GAN"

    def __init__(self, epochs=300, batch_size=500, random_state=0):
        self.epochs = epochs
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, X, y):
        """Fit ``GAN`` on ``X`` and ``y`` with its defaults, ``epochs`` and batch."""
        from skgen import GAN

        self.model_ = GAN(
            max_epochs=self.epochs,
            batch_size=self.batch_size,
            random_state=self.random_state,
        ).fit(X, np.asarray(y))
        self.rng_ = np.random.default_rng(self.random_state)
        return self


def ctgan_available():
    """Whether the ``ctgan`` package (the ``benchmarks`` extra) is installed."""
    try:
        import ctgan  # noqa: F401
    except ImportError:
        return False
    return True


def generators(epochs, batch_size=500, random_state=0):
    """Fresh adapters of every generator available here, in table order."""
    found = [
        Bootstrap(random_state),
        Marginals(random_state),
        SkgenVAE(epochs, random_state),
        SkgenGAN(epochs, batch_size, random_state),
    ]
    if ctgan_available():
        found += [
            CTGANAdapter(epochs, batch_size, random_state),
            TVAEAdapter(epochs, batch_size, random_state),
        ]
    return found
