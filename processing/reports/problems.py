"""What an importer reports about a file it read: the problems found in its cells, and the
refusal of a file that cannot be read at all.

Shared by every importer of a register document, so that the import page shows the same
kind of list whatever the file's format.
"""

from dataclasses import dataclass

from core.workbooks import UnreadableFile

__all__ = ["ERROR", "WARNING", "Problem", "Reading", "UnreadableFile"]

ERROR = "error"  # the import cannot go on as is: the DPO must correct the file first
WARNING = "warning"  # imported, but the DPO should check what was understood


@dataclass(frozen=True)
class Problem:
    """One thing in the file the DPO should look at, located as a spreadsheet shows it.

    ``row`` is the spreadsheet's 1-based row number and ``column`` its letter ("C"); both are
    None when the problem concerns a whole sheet (or the whole file). ``message`` is already
    translated into the reader's language; the cell contents it quotes are left as written.
    """

    sheet: str
    row: int | None
    column: str | None
    message: str
    level: str

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


@dataclass
class Reading:
    """What an importer read from a file: the register document and the problems met."""

    document: dict
    problems: list[Problem]

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)
