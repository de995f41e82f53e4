"""The README's quickstart snippet runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def run_snippet(index):
    """Run the README's ``index``-th python snippet; return its namespace."""
    snippets = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(snippets) > index, "README.md lost a python snippet"
    namespace = {}
    exec(compile(snippets[index], str(README), "exec"), namespace)
    return namespace


def test_readme_quickstart_snippet_runs():
    namespace = run_snippet(0)
    assert namespace["Z"].shape == (1797, 8)
    assert namespace["X_rec"].shape == (1797, 64)
    assert namespace["scores"].shape == (1797,)
    assert namespace["clf"].score(namespace["X"], namespace["y"]) > 0.9


def test_readme_table_snippet_runs():
    namespace = run_snippet(1)
    df, df_rec = namespace["df"], namespace["df_rec"]
    assert df_rec.columns.equals(df.columns)
    assert df_rec.dtypes.equals(df.dtypes)


def test_readme_generation_snippet_runs():
    namespace = run_snippet(2)
    X, new_rows = namespace["X"], namespace["new_rows"]
    assert new_rows.shape == (100, X.shape[1])
    assert new_rows.columns.equals(X.columns)
    assert namespace["elbo"].shape == (len(X),)
    assert namespace["model"].score(X, namespace["y"]) > 0.9
    assert namespace["gan_model"].score(X, namespace["y"]) > 0.9
    more_rows = namespace["more_rows"]
    assert more_rows.shape == (50, X.shape[1])
    assert more_rows.dtypes.equals(X.dtypes)
    table, synthetic = namespace["table"], namespace["synthetic"]
    assert synthetic.shape == table.shape
    assert synthetic.dtypes.equals(table.dtypes)
