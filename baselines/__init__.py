"""The four StackGAN baselines of the ReStGAN paper, an ablation ladder (each file registers one model).

The paper does not say what distinguishes its baselines; our ladder, from the simplest:
``stackgan-bow`` (title, bag of words) -> ``stackgan-lstm`` (title, LSTM) -> ``stackgan-ac`` (+ auxiliary
classifier) -> ``stackgan-prefix`` (every query prefix as an independent sample) -> ``restgan``.

Each module is a plugin like any other, registered through the ``ganbench.models`` entry points in
pyproject.toml, so ganbench loads only the models it is asked for.
"""
