"""skgen's benchmark suite: every table in one run, written to a results file.

Sections, each a script of its own that also runs alone:

- ``representation`` (bench_representation.py): PCA, BernoulliRBM and the
  AutoEncoder as dimensionality reduction, reconstruction error and
  downstream accuracy;
- ``generators`` (bench_generators.py): synthetic data quality of skgen's
  generators, CTGAN, TVAE and two baselines, measured with ``skgen.metrics``;
- ``augmentation`` (bench_augmentation.py): over-sampling a rare class
  (16 imbalanced tasks, 5x2 CV) with class weights, RandomOverSampler, the
  SMOTEs and skgen's generators; the full run takes about an hour per
  process on 2 cores (``--quick``: two tasks);
- ``training`` (bench_training.py): training throughput against a
  hand-written PyTorch loop;
- ``memory`` (bench_memory.py): peak memory of fit and inference on a
  1,000,000 x 100 array, batched inference, and repeated fits in one process.

Install with ``pip install -e ".[benchmarks]"`` (after ``pip install
torch==2.13.0`` on a CPU machine), which adds the ``ctgan`` package; it pins
``pandas<3``, so keep this environment apart from the test one. Then run
``python benchmarks/run.py --quick`` (under 10 minutes on 2 cores) or
``python benchmarks/run.py`` (the full suite), and ``--only generators`` to
run some sections. The tables are printed and written to
``benchmarks/results/quick.md`` or ``benchmarks/results/full.md``
(``--output`` to change), from which the documentation's benchmarks page is
built.
"""

import argparse
import datetime
import importlib
import os
import platform
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _tables import to_markdown  # noqa: E402
from _threads import limited_threads  # noqa: E402

SECTIONS = {
    "representation": "bench_representation",
    "generators": "bench_generators",
    "augmentation": "bench_augmentation",
    "training": "bench_training",
    "memory": "bench_memory",
}
PACKAGES = ["skgen", "torch", "scikit-learn", "imbalanced-learn", "ctgan", "pandas"]
RESULTS = Path(__file__).parent / "results"


def environment():
    """One line naming the machine and the versions of the packages compared."""
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package} not installed")
    return (
        f"{os.cpu_count()} CPU cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}; "
        + ", ".join(versions)
        + f"; {os.environ.get('OMP_NUM_THREADS', '1')} thread(s) for every model"
    )


def run_section(name, quick):
    """Run one section; return its markdown and print it as it comes."""
    started = time.perf_counter()
    module = importlib.import_module(SECTIONS[name])
    with limited_threads():
        parts = [
            f"{title}\n\n{to_markdown(rows)}" for title, rows in module.tables(quick)
        ]
    seconds = time.perf_counter() - started
    text = f"## {name.capitalize()}\n\n" + "\n\n".join(parts)
    text += f"\n\n(section wall time {seconds:.0f} s)\n"
    print(text, flush=True)
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="under 10 minutes")
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), metavar="NAME")
    parser.add_argument("--output", type=Path, help="results file to write")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    output = args.output or RESULTS / f"{mode}.md"
    command = "python benchmarks/run.py" + (" --quick" if args.quick else "")
    if args.only:
        command += " --only " + " ".join(args.only)
    started = time.perf_counter()
    header = (
        f"# Benchmark results ({mode} mode)\n\n"
        f"Reproduce with `{command}`. Measured on "
        f"{datetime.date.today().isoformat()}: {environment()}.\n"
    )
    print(header, flush=True)
    sections = [run_section(name, args.quick) for name in args.only or SECTIONS]
    total = time.perf_counter() - started
    footer = f"Total wall time: {total / 60:.1f} minutes.\n"
    print(footer)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join([header, *sections, footer]))
    print(f"Wrote {output}")


if __name__ == "__main__":
    main()
