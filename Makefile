# Two commands do everything on a fresh machine:
#   make report   create the environment and run the main job on data/sample
#   make test     create the environment and run every test and notebook
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= data/sample
OUT    ?= out/sample

.PHONY: report test env notebooks sample bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[notebooks,scale,test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

env: $(STAMP)

# `report` writes the report even when validation finds errors in the extract (the rows it
# could not use are listed in $(OUT)/analyst/validation_problems.csv) and says so; the target
# fails only when the report could not be written (usage or output errors, exit 2 or more).
report: $(STAMP)
	@$(BIN)/neglect-analysis validate $(DATA); status=$$?; \
	  if [ $$status -eq 1 ]; then \
	    echo "make report: validation found errors in $(DATA); writing the report anyway (rows not used: $(OUT)/analyst/validation_problems.csv)"; \
	  elif [ $$status -ne 0 ]; then exit $$status; fi
	@$(BIN)/neglect-analysis report $(DATA) --out $(OUT); status=$$?; \
	  if [ $$status -eq 1 ]; then \
	    echo "make report: the report was written to $(OUT), but the extract has errors: see $(OUT)/analyst/validation_problems.csv"; \
	  elif [ $$status -ne 0 ]; then exit $$status; fi

test: $(STAMP)
	@# The browser test needs Chromium: the Debian package, installed once (as root) when missing.
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && apt-get update -qq >/dev/null && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null) || \
	  echo "make test: Chromium not installed; the browser test will skip (or fail under CI)"
	MPLBACKEND=Agg $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile \
	  tests src/neglect_analysis --doctest-modules
	if ls notebooks/*.ipynb >/dev/null 2>&1; then \
	  MPLBACKEND=Agg $(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax \
	    --nbval-sanitize-with notebooks/sanitize.cfg notebooks; \
	fi

notebooks: $(STAMP)
	for nb in notebooks/[0-9]*.ipynb; do \
	  MPLBACKEND=Agg $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.store_widget_state=False \
	    "$$nb" || exit 1; \
	done

sample: $(STAMP)
	$(BIN)/neglect-analysis synthesize data/sample --parents 38 --seed 2018

bench: $(STAMP)
	$(BIN)/python -c "import duckdb" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench_targets.py --repeat 3 \
	  --parents $(if $(BENCH_SIZES),$(BENCH_SIZES),1000 10000 100000) \
	  $(if $(BENCH_DIR),--workdir $(BENCH_DIR))

clean:
	rm -rf $(VENV) out
