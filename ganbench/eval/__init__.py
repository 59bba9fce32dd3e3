"""Evaluation: the attribute classifier (eval net), torch-fidelity glue, and the metrics beyond the paper.

Entry points: :func:`ganbench.eval.evaluate.evaluate_run` (a run folder) and
:func:`ganbench.eval.evaluate.evaluate_model` (a model in memory); ``ganbench eval`` and ``ganbench
eval-net`` in :mod:`ganbench.cli.evaluate`. Module map: ``evalnet`` / ``evalnet_train`` (classifier),
``extractor`` (torch-fidelity extractors), ``features`` (extraction, IS, KID, real-feature cache), ``fid``,
``colour``, ``accuracy``, ``retention``, ``retrieval``, ``uncertainty`` (metric entries and spreads),
``generation`` (images from the test query streams), ``summary`` (printed table).
"""
