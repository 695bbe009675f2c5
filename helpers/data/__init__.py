"""Datasets: each in its own module, all returned as one :class:`~helpers.data.dataset.Dataset`.

* :mod:`~helpers.data.dataset`: the type and what every dataset shares;
* :mod:`~helpers.data.fashion_mnist`: the shipped subset (the quick profile) and the full set;
* :mod:`~helpers.data.cifar`, :mod:`~helpers.data.pets`: the ``full`` profile's datasets;
* :mod:`~helpers.data.imagefolder`: any folder of photos, one sub-folder per class;
* :mod:`~helpers.data.photos`: the real photos the ImageNet network is shown;
* :mod:`~helpers.data.cluttered`: Fashion-MNIST items on clutter, with their masks.

The names below are the ones notebooks and scripts use, e.g. ``data.load_fashion_mnist()``.
"""

from helpers.data.cifar import CIFAR, CifarRelease, fetch_cifar, load_cifar, read_cifar_archive
from helpers.data.dataset import Dataset, describe_classes, limited, select_classes
from helpers.data.fashion_mnist import (
    FASHION_CLASSES,
    FASHION_FILES,
    FASHION_SUBSET,
    fetch_fashion_mnist,
    find_fashion_mnist,
    load_fashion_mnist,
    make_fashion_subset,
    read_fashion_folder,
    read_fashion_subset,
)
from helpers.data.pets import fetch_pets, pets_folder
from helpers.infra.errors import DataNotFoundError
from helpers.infra.sampling import stratified_indices

__all__ = [
    "CIFAR",
    "FASHION_CLASSES",
    "FASHION_FILES",
    "FASHION_SUBSET",
    "CifarRelease",
    "DataNotFoundError",
    "Dataset",
    "describe_classes",
    "fetch_cifar",
    "fetch_fashion_mnist",
    "fetch_pets",
    "find_fashion_mnist",
    "limited",
    "load_cifar",
    "load_fashion_mnist",
    "make_fashion_subset",
    "pets_folder",
    "read_cifar_archive",
    "read_fashion_folder",
    "read_fashion_subset",
    "select_classes",
    "stratified_indices",
]
