"""Publishing: the Colab set-up cell, and the course site (book: the build; start_page: its
first page; site: its offline assets)."""
