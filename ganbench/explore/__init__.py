"""``ganbench explore``: an interactive refinement explorer (Gradio, optional extra ``ganbench[explore]``).

The views are plain Python (:mod:`.refine`, :mod:`.colour_terms`, rendered to HTML by :mod:`.render`);
:mod:`.app` only wires them into a Gradio page and :mod:`.server` starts it on 127.0.0.1.
"""
