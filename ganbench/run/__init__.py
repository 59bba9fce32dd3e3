"""Experiments: read an experiment file, plan its (model, variant, seed) cells and run them."""
