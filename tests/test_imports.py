"""What importing skgen imports: public names load lazily, each from its module.

This process has long imported everything, so one fresh interpreter
(``PROBE``) imports skgen step by step, loads saved models, and reports what
it saw; each test checks one part of that report.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

import skgen
from skgen import GAN, VAE, GenerativeOverSampler
from skgen._persistence import ESTIMATOR_MODULES, ESTIMATORS

# The modules whose import the probe watches.
WATCHED = [
    "torch",
    "skorch",
    "sklearn",
    "sklearn.ensemble",
    "pandas",
    "imblearn",
    "skgen.metrics",
    "skgen._gan",
]

PROBE = r"""
import json, sys

watched = json.loads(sys.argv[1])
report = {}

def imported():
    return [name for name in watched if name in sys.modules]

import skgen
report["import skgen"] = imported()
from skgen import AutoEncoder, VAE
report["from skgen import AutoEncoder, VAE"] = imported()

report["loaded"] = []
for path in sys.argv[2:]:
    model = skgen.load(path, device="cpu")
    generator = getattr(model, "generator_", None)
    report["loaded"].append([type(model).__name__, type(generator).__name__])

report["unresolved"] = [
    name for name in skgen.__all__
    if getattr(getattr(skgen, name), "__name__", name).rpartition(".")[2] != name
]
report["dir"] = dir(skgen)
try:
    skgen.NoSuchModel
except AttributeError as exc:
    report["unknown"] = [exc.name, str(exc)]
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A saved GAN and a saved GenerativeOverSampler holding a VAE."""
    folder = tmp_path_factory.mktemp("imports")
    X = np.random.RandomState(0).normal(size=(40, 3))
    y = np.repeat([0, 1], 20)
    small = {"max_epochs": 1, "batch_size": 20, "random_state": 0}
    gan = GAN(generator_layer_sizes=(8,), discriminator_layer_sizes=(8,), **small)
    gan.fit(X, y).save(folder / "gan.skgen")
    vae = VAE(hidden_layer_sizes=(8,), conditional=True, **small)
    sampler = GenerativeOverSampler(vae, random_state=0)
    sampler.fit_resample(X, y)
    sampler.save(folder / "sampler.skgen")
    return [folder / "gan.skgen", folder / "sampler.skgen"]


@pytest.fixture(scope="module")
def probe(saved):
    """What a fresh interpreter imported at each step, and what it loaded."""
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(WATCHED), *map(str, saved)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.splitlines()[-1])


def test_import_skgen_imports_no_dependency(probe):
    assert probe["import skgen"] == []


def test_autoencoder_and_vae_import_neither_imblearn_nor_metrics(probe):
    imported = set(probe["from skgen import AutoEncoder, VAE"])
    assert {"torch", "skorch", "sklearn", "pandas"} <= imported
    assert not imported & {"imblearn", "skgen.metrics", "skgen._gan"}
    assert "sklearn.ensemble" not in imported


def test_load_rebuilds_estimators_the_process_never_imported(probe):
    assert probe["loaded"] == [
        ["GAN", "NoneType"],
        ["GenerativeOverSampler", "VAE"],
    ]


def test_every_public_name_resolves_and_is_listed(probe):
    assert probe["unresolved"] == []
    assert set(skgen.__all__) <= set(probe["dir"])


def test_unknown_attribute_raises_attribute_error_naming_it(probe):
    name, message = probe["unknown"]
    assert name == "NoSuchModel"
    assert "'NoSuchModel'" in message


def test_lazy_names_are_the_classes_of_their_modules():
    for name, module in ESTIMATOR_MODULES.items():
        assert getattr(skgen, name).__module__ == module
        assert getattr(skgen, name) is getattr(sys.modules[module], name)


def test_every_registered_estimator_is_in_the_module_table():
    # load imports the modules of this table: a registered class missing from
    # it could not be loaded in a process that never imported it.
    for name in skgen.__all__:
        getattr(skgen, name)
    registered = {name: cls.__module__ for name, cls in ESTIMATORS.items()}
    assert registered == ESTIMATOR_MODULES


def test_an_error_inside_a_lazy_import_is_not_hidden(tmp_path, monkeypatch):
    # Python reports an AttributeError from a package's __getattr__ during
    # ``from package import name`` as "cannot import name", dropping it.
    (tmp_path / "skgen_test_broken.py").write_text(
        "raise AttributeError(\"module 'numpy' has no attribute 'float_'\")\n"
    )
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.setitem(skgen._MODULES, "GAN", "skgen_test_broken")
    monkeypatch.delitem(vars(skgen), "GAN")
    with pytest.raises(ImportError, match="has no attribute 'float_'"):
        from skgen import GAN  # noqa: F401
