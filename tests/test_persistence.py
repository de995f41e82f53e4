"""Saving and loading estimators without pickle, and pickle/joblib as users expect."""

import hashlib
import inspect
import io
import json
import pickle
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
import torch.serialization
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import EpochTimer

import skgen
from skgen import (
    GAN,
    VAE,
    AutoEncoder,
    AutoregressiveGenerator,
    GenerativeOverSampler,
    load,
)
from skgen._persistence import FORMAT_VERSION, _checksum
from tests.conftest import make_mixed_frame, numpy_global_state

# Small networks and few epochs: these tests check the round trip, not quality.
FAST = {"hidden_layer_sizes": (16,), "max_epochs": 3, "random_state": 0}
FAST_GAN = {
    "generator_layer_sizes": (16,),
    "discriminator_layer_sizes": (16,),
    "max_epochs": 3,
    "batch_size": 64,
    "random_state": 0,
}


def every_dtype_frame(n_samples=200):
    """The conftest table plus nullable, ordered and mixed-object columns."""
    df = make_mixed_frame(n_samples, random_state=1)
    rng = np.random.default_rng(1)
    counts = pd.array(rng.integers(0, 5, n_samples), dtype="Int64")
    flags = pd.array(rng.random(n_samples) < 0.5, dtype="boolean")
    flags[::17] = pd.NA
    mixed = np.array(["a", 1, None, "b"] * (n_samples // 4), dtype=object)
    return df.assign(
        count=counts,
        member=flags,
        grade=pd.Categorical(rng.integers(1, 4, n_samples), ordered=True),
        mixed=mixed,
    )


@pytest.fixture(scope="module")
def frame():
    return every_dtype_frame()


@pytest.fixture(scope="module")
def labels(frame):
    """String class labels, so that ``classes_`` is not a number array."""
    return np.where(frame["height"] > 0, "tall", "short")


@pytest.fixture(scope="module")
def ae_array(X_digits):
    return AutoEncoder(n_components=3, noise_std=0.1, **FAST).fit(X_digits)


@pytest.fixture(scope="module")
def ae_frame(frame):
    return AutoEncoder(n_components=3, **FAST).fit(frame)


@pytest.fixture(scope="module")
def vae_conditional(frame, labels):
    return VAE(conditional=True, **FAST).fit(frame, labels)


@pytest.fixture(scope="module")
def gan_conditional(frame, labels):
    gan = GAN(**FAST_GAN, validation_fraction=0.2)
    gan.fit_resample(frame, labels)
    return gan


@pytest.fixture(scope="module")
def ar_conditional(frame, labels):
    """Missing numbers and categories, classes, and fit_resample's strategy."""
    gappy = frame.assign(height=frame["height"].mask(frame.index % 7 == 0))
    model = AutoregressiveGenerator(**FAST)
    model.fit_resample(gappy, labels)
    assert model.table_encoder_.missing_slots
    return model


@pytest.fixture(scope="module")
def sampler(frame, labels):
    sampler = GenerativeOverSampler(VAE(**FAST), random_state=0)
    sampler.fit_resample(frame, labels)
    return sampler


def round_trip(estimator, tmp_path, **kwargs):
    path = tmp_path / "model.skgen"
    estimator.save(path)
    return load(path, **kwargs)


def assert_same(a, b):
    """Exact equality of arrays or frames, NaN included."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    else:
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def assert_params_equal(a, b):
    """``get_params()`` alike: same keys, types and values."""
    params_a, params_b = a.get_params(), b.get_params()
    assert params_a.keys() == params_b.keys()
    for key, value in params_a.items():
        other = params_b[key]
        assert type(value) is type(other), key
        if hasattr(value, "get_params"):
            assert_params_equal(value, other)
        elif isinstance(value, np.ndarray):
            assert_same(value, other)
        else:
            assert value == other, key


def assert_fitted_attributes_equal(a, b):
    """The fitted state a user reads: epochs, classes, names, history."""
    assert a.n_epochs_ == b.n_epochs_
    assert_same(a.is_categorical_, b.is_categorical_)
    for name in ("classes_", "class_prior_", "feature_names_in_"):
        assert hasattr(a, name) == hasattr(b, name), name
        if hasattr(a, name):
            assert_same(getattr(a, name), getattr(b, name))
    assert b.history_ is b.net_.history
    for row_a, row_b in zip(a.history_, b.history_, strict=True):
        assert {k: v for k, v in row_a.items() if k != "batches"} == row_b


def assert_same_model(saved, loaded, X, labels=(None,)):
    """Same parameters, fitted state and results, bit for bit."""
    assert_params_equal(loaded, saved)
    assert_fitted_attributes_equal(saved, loaded)
    if hasattr(saved, "transform"):
        Z = saved.transform(X)
        assert_same(loaded.transform(X), Z)
        assert_same(loaded.inverse_transform(Z), saved.inverse_transform(Z))
        assert_same(loaded.score_samples(X), saved.score_samples(X))
    if hasattr(saved, "sample"):
        for y in labels:
            assert_same(
                loaded.sample(50, y=y, random_state=0),
                saved.sample(50, y=y, random_state=0),
            )


def fitted_state(estimator):
    """Every fitted attribute an estimator holds, by scikit-learn's naming rule."""
    return {
        name
        for name in vars(estimator)
        if name.endswith("_") and not name.startswith("_")
    }


def net_arguments(net):
    """The arguments that shape a fitted net: those a file must rebuild it with.

    Those of the module, criterion and optimizer (``module__*``, ...), those
    of the net's own class beyond skorch's (a VAE's ``beta``, ...), and the
    training settings skorch keeps; iterators, callbacks and splits are left
    out.
    """
    own = set(inspect.signature(type(net)).parameters)
    own -= set(inspect.signature(NeuralNet).parameters)
    prefixes = ("module__", "criterion__", "optimizer__")
    return {
        key
        for key in net.get_params(deep=False)
        if key in own
        or key in ("lr", "max_epochs", "batch_size", "verbose")
        or key.startswith(prefixes)
    }


class TestSavedLists:
    """A fitted attribute or net argument that save() does not list fails here.

    Adding one to a model means deciding whether files keep it (list it in
    ``_saved_attributes`` / ``_saved_net_arguments``) and, if older files lack
    it, how they load: a deliberate change of the file format.
    """

    @pytest.mark.parametrize(
        "name",
        [
            "ae_array",
            "ae_frame",
            "vae_conditional",
            "gan_conditional",
            "ar_conditional",
            "sampler",
        ],
    )
    def test_every_fitted_attribute_is_listed(self, name, request, tmp_path):
        estimator = request.getfixturevalue(name)
        models = [estimator]
        if hasattr(estimator, "generator_"):
            models.append(estimator.generator_)
        for model in models:
            listed = set(type(model)._saved_attributes)
            assert fitted_state(model) <= listed, type(model).__name__
            if hasattr(model, "net_"):
                saved = set(type(model)._saved_net_arguments)
                training = set(getattr(type(model), "_training_net_arguments", ()))
                assert not saved & training
                shaping = net_arguments(model.net_) - training
                assert shaping == saved, type(model).__name__
        loaded = round_trip(estimator, tmp_path)
        assert fitted_state(loaded) == fitted_state(estimator)

    def test_gan_fitted_without_validation_or_classes(self, tmp_path):
        X = np.random.default_rng(0).normal(size=(60, 3))
        gan = GAN(**FAST_GAN).fit(X)
        assert fitted_state(gan) <= set(GAN._saved_attributes)
        assert fitted_state(round_trip(gan, tmp_path)) == fitted_state(gan)

    def test_an_unlisted_attribute_in_a_file_is_refused(self, ae_array, tmp_path):
        path = tmp_path / "model.skgen"
        ae_array.save(path)

        def add(document):
            document["model"]["attributes"]["transform"] = "x"

        rewrite(path, add, recompute_checksums=True)
        with pytest.raises(ValueError, match="does not save an attribute 'transform'"):
            load(path)


class TestRoundTrip:
    def test_autoencoder_on_arrays(self, ae_array, X_digits, tmp_path):
        loaded = round_trip(ae_array, tmp_path)
        assert_same_model(ae_array, loaded, X_digits)
        torch.testing.assert_close(
            loaded.net_.module_.noise_scale, ae_array.net_.module_.noise_scale
        )

    def test_autoencoder_on_a_mixed_frame(self, ae_frame, frame, tmp_path):
        loaded = round_trip(ae_frame, tmp_path)
        assert_same_model(ae_frame, loaded, frame)
        back = loaded.inverse_transform(loaded.transform(frame))
        assert back.dtypes.equals(frame.dtypes)
        for spec, saved in zip(
            loaded.table_encoder_.columns_,
            ae_frame.table_encoder_.columns_,
            strict=True,
        ):
            assert type(spec) is type(saved)
            assert spec.dtype == saved.dtype and spec.kind == saved.kind
            assert (spec.start, spec.stop) == (saved.start, saved.stop)
            if hasattr(saved, "scale"):
                assert spec.scale == saved.scale and spec.mean == saved.mean

    def test_autoencoder_on_an_object_array(self, frame, tmp_path):
        X = frame[["height", "size", "mixed"]].to_numpy(dtype=object)
        ae = AutoEncoder(**FAST).fit(X)
        loaded = round_trip(ae, tmp_path)
        assert_same_model(ae, loaded, X)
        assert loaded.inverse_transform(loaded.transform(X)).dtype == object

    def test_vae_conditional(self, vae_conditional, frame, tmp_path):
        loaded = round_trip(vae_conditional, tmp_path)
        assert_same_model(vae_conditional, loaded, frame, labels=(None, "tall"))

    def test_gan_conditional(self, gan_conditional, frame, tmp_path):
        loaded = round_trip(gan_conditional, tmp_path)
        assert_same_model(gan_conditional, loaded, frame, labels=(None, "short"))
        assert loaded.best_epoch_ == gan_conditional.best_epoch_
        assert loaded.sampling_strategy_ == gan_conditional.sampling_strategy_

    def test_autoregressive_conditional(self, ar_conditional, frame, tmp_path):
        loaded = round_trip(ar_conditional, tmp_path)
        assert_same_model(ar_conditional, loaded, frame, labels=(None, "tall"))
        assert loaded.sampling_strategy_ == ar_conditional.sampling_strategy_

    def test_generative_over_sampler(self, sampler, frame, labels, tmp_path):
        loaded = round_trip(sampler, tmp_path)
        assert_params_equal(loaded, sampler)
        assert loaded.sampling_strategy_ == sampler.sampling_strategy_
        assert loaded.generated_posterior_ == sampler.generated_posterior_
        assert loaded.real_posterior_ == sampler.real_posterior_
        assert_same(loaded.feature_names_in_, sampler.feature_names_in_)
        assert_same(
            loaded.generator_.sample(20, y="tall", random_state=0),
            sampler.generator_.sample(20, y="tall", random_state=0),
        )
        X_res, _ = loaded.fit_resample(frame, labels)
        assert_same(X_res, clone(sampler).fit_resample(frame, labels)[0])

    @pytest.mark.parametrize(
        "name",
        [
            "ae_array",
            "ae_frame",
            "vae_conditional",
            "gan_conditional",
            "ar_conditional",
        ],
    )
    def test_loaded_model_refits_like_the_saved_one(self, name, request, tmp_path):
        estimator = request.getfixturevalue(name)
        frame = request.getfixturevalue("frame")
        X = request.getfixturevalue("X_digits") if name == "ae_array" else frame
        y = request.getfixturevalue("labels")
        loaded = round_trip(estimator, tmp_path).fit(X, y)
        fresh = clone(estimator).fit(X, y)
        if hasattr(fresh, "transform"):
            assert_same(loaded.transform(X), fresh.transform(X))
        else:
            assert_same(
                loaded.sample(9, random_state=0), fresh.sample(9, random_state=0)
            )

    def test_unfitted_estimator(self, tmp_path):
        vae = VAE(n_components=3, hidden_layer_sizes=[8, 4], optimizer=torch.optim.SGD)
        loaded = round_trip(vae, tmp_path)
        assert_params_equal(loaded, vae)
        with pytest.raises(NotFittedError):
            check_is_fitted(loaded)
        sampler = round_trip(
            GenerativeOverSampler(vae, sampling_strategy={1: 5}), tmp_path
        )
        assert sampler.sampling_strategy == {1: 5}
        assert_params_equal(sampler.generator, vae)

    def test_set_output_is_kept(self, ae_array, X_digits, tmp_path):
        ae = clone(ae_array).set_params(max_epochs=1).set_output(transform="pandas")
        loaded = round_trip(ae.fit(X_digits), tmp_path)
        assert list(loaded.transform(X_digits).columns) == [
            "autoencoder0",
            "autoencoder1",
            "autoencoder2",
        ]

    def test_load_leaves_global_random_state_alone(self, ae_array, tmp_path):
        numpy_before, torch_before = numpy_global_state(), torch.get_rng_state()
        round_trip(ae_array, tmp_path)
        numpy_after = numpy_global_state()
        np.testing.assert_array_equal(numpy_after[0], numpy_before[0])
        assert numpy_after[1] == numpy_before[1]
        assert torch.equal(torch.get_rng_state(), torch_before)

    def test_file_holds_json_and_weights(self, vae_conditional, tmp_path):
        path = tmp_path / "model.skgen"
        vae_conditional.save(path)
        with zipfile.ZipFile(path) as archive:
            assert sorted(archive.namelist()) == ["skgen.json", "weights.pt"]
            document = json.loads(archive.read("skgen.json"))
        assert document["format_version"] == FORMAT_VERSION
        assert document["skgen_version"] == skgen.__version__
        model = document["model"]
        assert model["class"] == "VAE"
        assert model["params"]["conditional"] is True
        assert model["attributes"]["n_epochs_"] == 3


class TestDevice:
    def test_saved_on_cpu_loads_on_cpu(self, ae_array, X_digits, tmp_path):
        ae = clone(ae_array).set_params(device="cpu").fit(X_digits)
        loaded = round_trip(ae, tmp_path)
        assert loaded.net_.device == torch.device("cpu")
        assert loaded.device == "cpu"
        assert_same(loaded.transform(X_digits), ae.transform(X_digits))

    @pytest.mark.parametrize("saved_device", ["cuda", "auto"])
    def test_gpu_model_loads_on_a_cpu_only_machine(
        self, saved_device, ae_array, X_digits, tmp_path, monkeypatch
    ):
        # Weights tagged as CUDA tensors, as torch.save writes them from a GPU,
        # and a device parameter as set for GPU training.
        ae = clone(ae_array).fit(X_digits).set_params(device=saved_device)
        path = tmp_path / "gpu.skgen"
        with monkeypatch.context() as patch:
            patch.setattr(torch.serialization, "location_tag", lambda _: "cuda:0")
            ae.save(path)
        with zipfile.ZipFile(path) as archive:
            weights = archive.read("weights.pt")
        if not torch.cuda.is_available():
            with pytest.raises(RuntimeError, match="CUDA"):
                torch.load(io.BytesIO(weights), weights_only=True)

        map_locations = []
        torch_load = torch.load

        def spy(*args, **kwargs):
            map_locations.append(kwargs.get("map_location"))
            return torch_load(*args, **kwargs)

        monkeypatch.setattr(torch, "load", spy)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
        if saved_device == "cuda":
            with pytest.warns(UserWarning, match="device='cuda'.*loaded on the CPU"):
                loaded = load(path)
        else:
            loaded = load(path)
        assert map_locations == [torch.device("cpu")]
        assert loaded.net_.device == torch.device("cpu")
        assert loaded.device == saved_device
        assert_same(loaded.transform(X_digits), ae.transform(X_digits))

    def test_explicit_device(self, ae_array, tmp_path):
        loaded = round_trip(ae_array, tmp_path, device="cpu")
        assert loaded.net_.device == torch.device("cpu")
        assert loaded.device == ae_array.device
        if not torch.cuda.is_available():
            with pytest.raises(ValueError, match="CUDA is not available"):
                load(tmp_path / "model.skgen", device="cuda")


class TestSaveErrors:
    @pytest.mark.parametrize(
        "params, match",
        [
            (
                {"callbacks": [EpochTimer()]},
                r"'callbacks'.*set_params\(callbacks=None\)",
            ),
            (
                {"random_state": np.random.RandomState(0)},
                r"'random_state'.*int or None",
            ),
            ({"optimizer": torch.optim.Adagrad}, r"'optimizer'.*'adam'"),
        ],
    )
    def test_parameters_that_are_not_json(self, params, match, tmp_path):
        ae = AutoEncoder(**params)
        with pytest.raises(ValueError, match=match):
            ae.save(tmp_path / "model.skgen")
        assert not (tmp_path / "model.skgen").exists()

    def test_nested_and_callable_parameters(self, tmp_path):
        sampler = GenerativeOverSampler(VAE(callbacks=[EpochTimer()]))
        with pytest.raises(ValueError, match=r"'generator', parameter 'callbacks'"):
            sampler.save(tmp_path / "model.skgen")
        sampler = GenerativeOverSampler(VAE(), sampling_strategy=lambda y: {1: 5})
        with pytest.raises(ValueError, match="'sampling_strategy'.*dict"):
            sampler.save(tmp_path / "model.skgen")

    def test_subclasses_are_refused(self, tmp_path):
        class MyAutoEncoder(AutoEncoder):
            pass

        with pytest.raises(ValueError, match="its own estimators only"):
            MyAutoEncoder().save(tmp_path / "model.skgen")


def rewrite(path, edit_document=None, weights=None, recompute_checksums=False):
    """Rewrite a saved file with its JSON edited and/or other weights."""
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read("skgen.json"))
        old_weights = archive.read("weights.pt")
    weights = old_weights if weights is None else weights
    if edit_document is not None:
        edit_document(document)
    if recompute_checksums:
        document["weights_sha256"] = hashlib.sha256(weights).hexdigest()
        document["sha256"] = _checksum(document)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("skgen.json", json.dumps(document))
        archive.writestr("weights.pt", weights)


def _touch(path):
    """What a malicious pickle would run on load."""
    open(path, "w").close()


class _Payload:
    """An object whose unpickling runs ``_touch``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return _touch, (self.marker,)


class TestLoadErrors:
    @pytest.fixture
    def path(self, ae_array, tmp_path):
        path = tmp_path / "model.skgen"
        ae_array.save(path)
        return path

    def test_not_a_zip(self, tmp_path):
        path = tmp_path / "model.skgen"
        path.write_bytes(b"not a zip archive")
        with pytest.raises(ValueError, match="not a readable zip archive"):
            load(path)

    def test_zip_without_the_members(self, tmp_path):
        path = tmp_path / "model.skgen"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("skgen.json", "{}")
        with pytest.raises(ValueError, match="has no weights.pt"):
            load(path)

    def test_invalid_json(self, path):
        with zipfile.ZipFile(path) as archive:
            weights = archive.read("weights.pt")
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("skgen.json", "{not json")
            archive.writestr("weights.pt", weights)
        with pytest.raises(ValueError, match="skgen.json is not valid JSON"):
            load(path)

    def test_other_format_version(self, path):
        def newer(document):
            document["format_version"] = FORMAT_VERSION + 1
            document["skgen_version"] = "9.0"

        rewrite(path, newer)
        with pytest.raises(
            ValueError,
            match=rf"format version {FORMAT_VERSION + 1} \(written by skgen 9.0",
        ):
            load(path)

    def test_changed_json(self, path):
        def edit(document):
            document["model"]["params"]["n_components"] = 4

        rewrite(path, edit)
        with pytest.raises(ValueError, match="skgen.json does not match its checksum"):
            load(path)

    def test_changed_weights(self, path):
        with zipfile.ZipFile(path) as archive:
            weights = bytearray(archive.read("weights.pt"))
        weights[len(weights) // 2] ^= 0xFF
        rewrite(path, weights=bytes(weights))
        with pytest.raises(ValueError, match="weights.pt does not match the checksum"):
            load(path)

    def test_pickled_code_in_the_weights_never_runs(self, path, tmp_path):
        marker = tmp_path / "ran"
        buffer = io.BytesIO()
        torch.save({"net_.module_": _Payload(str(marker))}, buffer)
        rewrite(path, weights=buffer.getvalue(), recompute_checksums=True)
        with pytest.raises(ValueError, match="weights_only=True"):
            load(path)
        assert not marker.exists()

    def test_classes_outside_skgen_are_refused(self, path):
        def edit(document):
            document["model"]["class"] = "os.system"

        rewrite(path, edit, recompute_checksums=True)
        with pytest.raises(ValueError, match="cannot load: class .os.system. is not"):
            load(path)


def outputs(estimator, X):
    """What an estimator computes: codes for the AutoEncoder, rows otherwise."""
    if isinstance(estimator, GenerativeOverSampler):
        estimator = estimator.generator_
    if isinstance(estimator, AutoEncoder):
        return estimator.transform(X)
    return estimator.sample(20, random_state=0)


class TestPickle:
    @pytest.mark.parametrize(
        "name",
        ["ae_frame", "vae_conditional", "gan_conditional", "ar_conditional", "sampler"],
    )
    @pytest.mark.parametrize("library", ["pickle", "joblib"])
    def test_round_trip(self, name, library, frame, request, tmp_path):
        estimator = request.getfixturevalue(name)
        if library == "joblib":
            joblib.dump(estimator, tmp_path / "model.joblib")
            restored = joblib.load(tmp_path / "model.joblib")
        else:
            restored = pickle.loads(pickle.dumps(estimator))
        assert_same(outputs(restored, frame), outputs(estimator, frame))
