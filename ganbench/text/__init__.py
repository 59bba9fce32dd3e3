"""Text-encoder pretraining by image–text matching (:mod:`ganbench.text.matching`), trained once per
catalog and encoder and stored with the catalog (:mod:`ganbench.text.store`)."""
