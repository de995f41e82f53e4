"""The package's structure: imports point down the layers, never in a cycle.

docs/developers.rst draws these layers; this test keeps the drawing true. It
reads every module's imports with ``ast`` (function-level imports included),
so an import cannot hide from it inside a function.
"""

import ast
from pathlib import Path

import pytest

import skgen

PACKAGE = Path(skgen.__file__).parent

# From the top down; a module imports only modules of lower layers.
LAYERS = [
    ["skgen"],
    ["_autoencoder", "_vae", "_gan", "_autoregressive", "_sampler", "metrics", "dask"],
    ["_mixins"],
    ["_base"],
    [
        "_autoencoder_nets",
        "_vae_nets",
        "_gan_nets",
        "_autoregressive_nets",
        "_persistence",
        "_dask",
    ],
    ["_reader"],
    ["_load_checks", "_archive"],
    ["_json_values"],
    ["_training", "_layers", "_tabular", "_filtering", "_summary"],
    ["_torch", "_codecs", "_compat", "_docstrings", "exceptions", "_version"],
]
LAYER = {name: depth for depth, names in enumerate(LAYERS) for name in names}
ESTIMATOR_MODULES = {"_autoencoder", "_vae", "_gan", "_autoregressive", "_sampler"}


def module_name(path):
    """``skgen`` for the package's ``__init__``, else the module's file stem."""
    return "skgen" if path.name == "__init__.py" else path.stem


def skgen_imports(path):
    """Names of the skgen modules that the module at ``path`` imports."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names.append(node.module)
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] != "skgen":
                continue
            if len(parts) > 1 and parts[1] in LAYER:
                imported.add(parts[1])
            elif len(parts) == 1 or parts[1] in skgen.__all__:
                imported.add("skgen")
    imported.discard(module_name(path))
    return imported


GRAPH = {module_name(path): skgen_imports(path) for path in PACKAGE.glob("*.py")}


def test_every_module_has_a_layer():
    assert set(GRAPH) == set(LAYER)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down(module):
    upward = {name for name in GRAPH[module] if LAYER[name] <= LAYER[module]}
    assert not upward, f"{module} imports {sorted(upward)}, not below it"


def test_no_import_cycle():
    def visit(module, path):
        if module in path:
            cycle = path[path.index(module) :] + [module]
            pytest.fail(f"import cycle: {' -> '.join(cycle)}")
        for imported in GRAPH[module]:
            visit(imported, [*path, module])

    for module in GRAPH:
        visit(module, [])


def test_persistence_imports_no_estimator():
    assert not GRAPH["_persistence"] & (ESTIMATOR_MODULES | {"skgen"})


def test_the_checks_see_an_upward_import(tmp_path):
    # A module importing the package from inside a function is caught.
    path = tmp_path / "_torch.py"
    path.write_text("def f():\n    from skgen import AutoEncoder\n")
    assert skgen_imports(path) == {"skgen"}
    path.write_text("import skgen._gan\nfrom skgen._base import NeuralEstimator\n")
    assert skgen_imports(path) == {"_gan", "_base"}
