"""The training harness: one loop for every model, EMA, precision, checkpoints, logs, samples, runs."""
