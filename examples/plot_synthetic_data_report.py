"""
=========================================
Is the synthetic data good? One report
=========================================

:func:`skgen.metrics.quality_report` answers the question in one call. Given
the real rows a generator was trained on, its synthetic rows and real rows it
never saw, it measures whether a classifier can tell real from synthetic rows,
how far apart the columns' distributions and their pairwise associations are,
whether the generator copies its training rows, and whether a model trained on
the synthetic rows predicts a real target as well as one trained on real rows.
Its ``plot()`` draws every column's real and synthetic distribution and the
change of the associations.

This example fits a generator on the Palmer penguins, a small real table
with missing measurements, and reads its report.
"""

# %%
# The penguins, gaps included
# ---------------------------
# 344 penguins of three species, measured on three islands from 2007 to 2009.
# Two penguins have no measurements and eleven no recorded sex; the table goes
# in as it is. A third of the penguins are held out: the generator never sees
# them, and the report compares the synthetic rows with them.
import matplotlib.pyplot as plt
import pandas as pd
from palmerpenguins import load_penguins
from sklearn.model_selection import train_test_split

from skgen import AutoregressiveGenerator
from skgen.metrics import quality_report

penguins = load_penguins()
train, test = train_test_split(
    penguins, test_size=1 / 3, random_state=0, stratify=penguins["species"]
)
print(f"{len(train)} training and {len(test)} held-out penguins")
print(penguins.isna().sum().to_string())

# %%
# Fit a generator and sample
# --------------------------
# Any generator's output can be measured; here skgen's own, fitted with its
# default parameters on the training penguins. It samples as many penguins as
# it saw.
generator = AutoregressiveGenerator(random_state=0).fit(train)
synthetic = generator.sample(len(train), random_state=0)
synthetic.head()

# %%
# The report
# ----------
# ``target="species"`` adds train-on-synthetic, test-on-real (TSTR): a
# gradient-boosting classifier fitted on the synthetic penguins predicts the
# held-out penguins' species, scored by balanced accuracy; its reference is
# the same classifier fitted on the real training penguins. Every other row's
# reference is what a perfect generator would score.
report = quality_report(
    train, synthetic, target="species", holdout=test, random_state=0
)
print(report)

# %%
# What real rows score
# --------------------
# Two real samples of a table this small differ too. The held-out penguins,
# measured like synthetic ones against the training penguins, show what
# sampling noise alone gives: synthetic penguins that score near them are
# about as close to the training penguins as fresh penguins are.
floor = quality_report(train, test, random_state=0)
pd.concat(
    {
        "synthetic": report.summary.set_index("metric")["value"],
        "held-out real": floor.summary.set_index("metric")["value"],
    },
    axis=1,
    join="inner",
).round(3)

# %%
# Column by column
# ----------------
# ``report.columns`` has one row per column: the Kolmogorov-Smirnov distance of
# the present values of a number or the total variation distance of a
# category's frequencies, the gap in the share of missing values, and the
# mean error of the column's associations with the others.
report.columns.round(3)

# %%
# The picture
# -----------
# One panel per column: real values filled, synthetic ones outlined, each
# panel's distance (and, for a number with gaps, each sample's share of
# missing values) beneath it. The heatmap shows where the synthetic penguins
# tie two columns more (red) or less (blue) closely than the real ones.
report.plot()
plt.show()
