"""What every class-conditional generator does with class labels."""

import numpy as np
import pytest

from skgen import GAN, VAE, AutoregressiveGenerator

# Unfitted models conditioned on y, for the checks of fit's labels.
QUICK = {
    "VAE": lambda: VAE(conditional=True, hidden_layer_sizes=(16,), max_epochs=2),
    "GAN": lambda: GAN(
        generator_layer_sizes=(16,), discriminator_layer_sizes=(16,), max_epochs=2
    ),
    "AutoregressiveGenerator": lambda: AutoregressiveGenerator(
        hidden_layer_sizes=(16,), max_epochs=2
    ),
}


@pytest.fixture(params=list(QUICK), scope="module")
def model(request):
    return request.param


@pytest.fixture(scope="module")
def conditional(model, request):
    """The model of that name fitted on the blobs' labels (conftest)."""
    return request.getfixturevalue(f"conditional_{model.lower()}")


def test_rows_of_the_asked_class(conditional):
    low = conditional.sample(500, y=0, random_state=0)
    high = conditional.sample(500, y=1, random_state=0)
    assert low.mean() < -1 and high.mean() > 1


def test_one_label_per_row(conditional):
    labels = np.repeat([0, 1], 100)
    rows = conditional.sample(200, y=labels, random_state=0)
    assert rows[:100].mean() < -1 and rows[100:].mean() > 1


def test_labels_drawn_by_class_share_without_y(conditional):
    rows = conditional.sample(1000, random_state=0)
    assert np.mean(rows.mean(axis=1) > 0) == pytest.approx(0.5, abs=0.1)


def test_classes_and_prior(conditional):
    np.testing.assert_array_equal(conditional.classes_, [0, 1])
    np.testing.assert_allclose(conditional.class_prior_, [0.5, 0.5])


def test_unknown_label(conditional):
    with pytest.raises(ValueError, match=r"not fitted on: \[7\]"):
        conditional.sample(3, y=7)


def test_label_count_mismatch(conditional):
    with pytest.raises(ValueError, match="one label or one per row"):
        conditional.sample(3, y=[0, 1])


def test_string_labels(model, blobs):
    X, y = blobs
    names = np.array(["low", "high"])[y]
    fitted = QUICK[model]().set_params(random_state=0).fit(X, names)
    np.testing.assert_array_equal(fitted.classes_, ["high", "low"])
    assert fitted.sample(5, y="high", random_state=0).shape == (5, 4)


def test_y_length_mismatch_in_fit(model, blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="400 rows but y has 399"):
        QUICK[model]().fit(X, y[:-1])


def test_continuous_y_is_refused(model, blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="Unknown label type"):
        QUICK[model]().fit(X, np.linspace(0, 1, 400))
