"""The Dask recipes of the user guide's scaling page run as written.

The python blocks of the page's "Tables larger than memory" section run in
order, in one namespace, in a folder holding a small ``rows.parquet``.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

PAGE = Path(__file__).resolve().parents[1] / "docs" / "user_guide" / "scaling.rst"
SECTION = "Tables larger than memory"


def recipes():
    """The section's python code blocks, dedented."""
    lines = PAGE.read_text().splitlines()
    start = lines.index(SECTION)
    # The section ends where the next title (a line over "====") starts.
    end = next(
        k
        for k in range(start + 2, len(lines) - 1)
        if lines[k + 1] and set(lines[k + 1]) == {"="}
    )
    section = "\n".join(lines[start:end]) + "\n"
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", section)
    return ["\n".join(line[3:] for line in block.splitlines()) for block in blocks]


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_scaling_recipes_run_as_written(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    n_rows = 3_000
    pd.DataFrame(
        {
            "amount": rng.lognormal(size=n_rows).round(2),
            "items": rng.integers(1, 6, n_rows),
            "channel": pd.Categorical(rng.choice(["web", "shop", "phone"], n_rows)),
            "returned": rng.random(n_rows) < 0.1,
        }
    ).to_parquet(tmp_path / "rows.parquet", row_group_size=1_000)
    monkeypatch.chdir(tmp_path)
    blocks = recipes()
    assert len(blocks) == 4
    namespace = {}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)
    assert namespace["vae"].n_epochs_ == 3
    assert namespace["ae"].n_epochs_ == 3
    synthetic = pd.read_parquet(tmp_path / "synthetic")
    assert len(synthetic) == 200_000
    assert list(synthetic.columns) == ["amount", "items", "channel", "returned"]
    pd.testing.assert_frame_equal(
        synthetic, pd.read_parquet(tmp_path / "synthetic_2"), check_index_type=False
    )
    assert len(pd.read_parquet(tmp_path / "codes")) == n_rows
