"""``python -m helpers ...``: the course's one command line.

fetch [WHAT]          download what the ``full`` profile needs (checked, atomic)
train NAME            train a course model of the ``full`` profile into the user cache
prepare [NN ...]      build each notebook's ``full`` setting once, outside the notebook
"""

from __future__ import annotations

import sys

from helpers import course
from helpers.data import cifar, fashion_mnist, labelled_photos, pets
from helpers.infra.errors import DataNotFoundError, WeightsNotFoundError
from helpers.models import weights, zoo
from helpers.publish import site

USAGE = """usage: python -m helpers COMMAND ...
  fetch [WHAT]                   download, checked; WHAT is one of
      fashion-mnist (the default)    the four Fashion-MNIST files, into ~/.keras/datasets
      cifar10 | cifar100             the CIFAR python archive, into ~/.keras/datasets
      weights MODEL [--no-top]       ImageNet weights of MobileNetV2, VGG16 or DenseNet121
      photos                         the labelled cat, dog and ImageNet photos (37 MB)
      pets                           Microsoft's cats-vs-dogs photos (PetImages, 825 MB)
      site-assets                    the scripts that draw widgets on the offline site
  train NAME                     train a course model of the full profile (NAME: {models})
  prepare [NN ...]               build notebooks' full settings once (e.g. 04 06; all: none)"""


def usage() -> str:
    return USAGE.format(models=", ".join(sorted(zoo.RECIPES)))


def fetch(arguments: list[str]) -> str:
    """Carry out ``python -m helpers fetch ...``; return what was done."""
    what = arguments[0] if arguments else "fashion-mnist"
    if what == "fashion-mnist" and len(arguments) <= 1:
        return f"Fashion-MNIST ready in {fashion_mnist.fetch_fashion_mnist()}"
    if what in ("cifar10", "cifar100") and len(arguments) == 1:
        return f"{what} ready in {cifar.fetch_cifar(int(what[5:]))}"
    if what == "weights" and len(arguments) in (2, 3) and arguments[2:] in ([], ["--no-top"]):
        path = weights.fetch(arguments[1], include_top=arguments[2:] != ["--no-top"])
        return f"{arguments[1]} weights ready in {path}"
    if what == "photos" and len(arguments) == 1:
        return f"photos ready in {labelled_photos.fetch_photos()}"
    if what == "pets" and len(arguments) == 1:
        return f"PetImages ready in {pets.fetch_pets()}"
    if what == "site-assets" and len(arguments) == 1:
        return "\n".join(f"kept {path}" for path in site.fetch())
    raise SystemExit(usage())


def train(arguments: list[str]) -> str:
    """Carry out ``python -m helpers train NAME``."""
    if len(arguments) != 1 or arguments[0] not in zoo.RECIPES:
        raise SystemExit(usage())
    name = arguments[0]
    zoo.load(name, "full", dataset=zoo.recipe_dataset(name), epochs=zoo.recipe_epochs(name))
    return f"{name} ready in {zoo.config.user_cache_dir() / 'models'}"


def main(argv: list[str]) -> str:
    """Run one command; return what was done (a usage error exits with the usage)."""
    commands = {"fetch": fetch, "train": train}
    if argv[:1] == ["prepare"]:
        course.prepare(argv[1:] or tuple(course.NOTEBOOKS))
        return "prepared"
    if not argv or argv[0] not in commands:
        raise SystemExit(usage())
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    try:
        print(main(sys.argv[1:]))
    except (DataNotFoundError, WeightsNotFoundError, KeyError, ValueError) as error:
        sys.exit(f"error: {error}")
