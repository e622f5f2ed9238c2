"""The seed documents: the copy in tests/data/seeds, or shared/seeds beside the repository."""

from pathlib import Path

_HERE = Path(__file__).resolve().parent
SEEDS = next(
    (
        folder
        for folder in (_HERE / "data" / "seeds", _HERE.parents[1] / "shared" / "seeds")
        if folder.is_dir()
    ),
    _HERE / "data" / "seeds",
)
FILM_PAGE = SEEDS / "000_5308009d577d6288.txt"
MAKING_OF_PAGE = SEEDS / "002_519005fe08e5987b.txt"
