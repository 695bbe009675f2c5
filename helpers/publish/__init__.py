"""Publishing: the Colab set-up cell and the offline site's assets."""
