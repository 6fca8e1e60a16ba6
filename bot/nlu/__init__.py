"""The NLU pipeline's components (config.yml): they run inside the Rasa server and in training."""
