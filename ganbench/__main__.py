"""``python -m ganbench``: the command line (what ``torchrun -m ganbench train ...`` starts per rank)."""

from ganbench.cli import main

if __name__ == "__main__":
    main()
