"""Train the course models and write them, with their manifest entries, to data/models/.

    python scripts/train_zoo.py                 # every model
    python scripts/train_zoo.py fashion_cnn     # one model
    python scripts/train_zoo.py fashion_cnn --epochs 1 --max-train 512 --out /tmp/zoo

Needs the full Fashion-MNIST offline (e.g. `apt-get install dataset-fashion-mnist`) or network.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from helpers import config, data, zoo


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shipped = sorted(name for name, spec in zoo.RECIPES.items() if spec.shipped)
    parser.add_argument("names", nargs="*", help=f"models to train (default: {shipped})")
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs (for smoke runs)")
    parser.add_argument("--max-train", type=int, help="use only this many training images")
    parser.add_argument("--out", type=Path, default=config.MODELS_DIR, help="output folder")
    parser.add_argument("--data", type=Path, help="folder with the Fashion-MNIST *-ubyte.gz files")
    args = parser.parse_args(argv)

    dataset = data.load_fashion_mnist("full", path=args.data)
    infos = []
    for name in args.names or shipped:
        model, info = zoo.train(name, dataset, epochs=args.epochs, max_train_images=args.max_train)
        path = zoo.save(model, info, args.out)
        print(f"saved {path}: {json.dumps(info)}")
        infos.append(info)
    return infos


if __name__ == "__main__":
    main()
