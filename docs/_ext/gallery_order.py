"""The order of the examples in the gallery: from first steps to tuning."""

ORDER = [
    "plot_autoencoder_digits.py",
    "plot_tabular_autoencoder.py",
    "plot_vae_digits.py",
    "plot_vae_anomaly.py",
    "plot_augment_scarce_labels.py",
    "plot_gan_augmentation.py",
    "plot_rare_class_diamonds.py",
    "plot_synthetic_data_report.py",
    "plot_grid_search.py",
]


class ExampleOrder:
    """Sort key for sphinx-gallery's ``within_subsection_order``.

    Examples named in ``ORDER`` come first, in that order; any other example
    follows, by file name.
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = str(filename).rsplit("/", 1)[-1]
        if name in ORDER:
            return (0, ORDER.index(name), name)
        return (1, 0, name)

    def __repr__(self):
        return f"<{type(self).__name__}>"
