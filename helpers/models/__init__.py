"""Models: the course zoo (small CNNs trained by ``scripts/`` and shipped in ``data/models``),
ImageNet weight files of ``keras.applications`` models, and EfficientNet-Lite0 read from its
PyTorch file."""
