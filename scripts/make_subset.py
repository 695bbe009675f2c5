"""Write data/fashion_mnist_subset.npz: a stratified, seeded subset of the full Fashion-MNIST.

python scripts/make_subset.py [--train-per-class 1000] [--test-per-class 200]
"""

from __future__ import annotations

import argparse
import io

import numpy as np

from helpers import data
from helpers.infra import config, sources


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-per-class", type=int, default=1000)
    parser.add_argument("--test-per-class", type=int, default=200)
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    args = parser.parse_args(argv)
    source = data.load_fashion_mnist("full")
    arrays = data.make_fashion_subset(source, args.train_per_class, args.test_per_class, args.seed)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    sources.write_atomically(data.FASHION_SUBSET, buffer.getvalue())
    print(
        f"wrote {data.FASHION_SUBSET} ({data.FASHION_SUBSET.stat().st_size / 1e6:.1f} MB) "
        f"from {source.source}"
    )


if __name__ == "__main__":
    main()
