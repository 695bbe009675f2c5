# Every target creates .venv and installs the course into it first when missing.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PHOTOS := $(VENV)/share/cnn-course/photos/cats_dogs.npz
export COURSE_PROFILE ?= quick

.PHONY: setup course site lab test bench clean

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[cpu,course,dev]" -c constraints.txt
	$(PY) -m helpers fetch site-assets || echo "MathJax and the widget scripts of the offline site not fetched (no network?): build/site/ will load them from CDNs"
	touch $(STAMP)

# the labelled real photos (37 MB fetched, 7 MB kept); offline, the notebooks skip their sections
$(PHOTOS): $(STAMP)
	$(PY) -m helpers fetch photos || echo "The labelled photos were not fetched (no network?): the notebooks' real-photo sections will say so and be skipped"

setup: $(STAMP) $(PHOTOS)

course: setup  ## execute every notebook headless; executed copies in build/, site in build/site/
	$(PY) scripts/run_course.py

site: setup  ## the site again from build/'s executed notebooks (runs none; opens nothing; offline)
	$(PY) -m helpers.publish.book

lab: setup  ## JupyterLab on the course
	$(VENV)/bin/jupyter lab notebooks/00_start_here.ipynb

test: setup  ## lint, unit tests, every notebook under nbval, browser tests
	$(VENV)/bin/ruff check helpers tests scripts bench
	$(PY) -m pytest -n 2 --dist loadgroup --durations=15 tests/ notebooks/ --nbval-lax --nbval-cell-timeout=240 \
		--nbval-sanitize-with tests/nbval_sanitize.cfg

bench: setup  ## benchmarks: ratios measured in one run
	$(PY) bench/run_all.py

clean:
	rm -rf build .pytest_cache
