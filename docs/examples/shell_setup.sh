source .venv/bin/activate  # the environment `make install` created
cd docs/examples
export EXAMPLE_BANK_TOKEN=any-text-will-do  # Example Bank is fictional
