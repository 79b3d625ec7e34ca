"""Opening a spreadsheet someone uploaded (.ods or .xlsx) without letting it run the server
out of memory, and the refusal of one that cannot be read.

python-calamine reads both formats without evaluating formulas or expanding XML entities,
but it loads a sheet whole, as a dense grid from A1 to its last cell (about 32 bytes a cell),
and aborts the process when memory runs out: a 5 KB .xlsx with one cell at XFD1048576 asks
for 512 GB. So before calamine sees a file, its archive is unpacked as a stream and the
sheets' XML followed row by row (without any DTD), and the file is refused past
MAX_UNCOMPRESSED bytes or a sheet of more than MAX_CELLS cells.
"""

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from operator import itemgetter
from xml.parsers import expat

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

MAX_SHEETS = 300
MAX_CELLS = 5_000_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024


class UnreadableFile(Exception):
    """The file cannot be imported at all (not a spreadsheet, too big, not the expected
    model); ``message`` says why in words the person who sent it understands."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def open_workbook(data: bytes) -> CalamineWorkbook:
    """The workbook in ``data``, once it is known to fit in memory; ``UnreadableFile`` else."""
    _check_size(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine says "Cannot detect file format", a zip or XML error…
        raise _not_a_spreadsheet() from error
    if len(workbook.sheet_names) > MAX_SHEETS:
        raise UnreadableFile(
            _("This workbook has %(count)s sheets; Registre reads at most %(limit)s.")
            % {"count": len(workbook.sheet_names), "limit": MAX_SHEETS}
        )
    return workbook


def _not_a_spreadsheet() -> UnreadableFile:
    return UnreadableFile(_("This file could not be read as a spreadsheet: save it as .ods or .xlsx and try again."))


def _too_large() -> UnreadableFile:
    return UnreadableFile(
        _("This file is too large to be read: keep only the register in it (its list and its record sheets).")
    )


def _check_size(data: bytes) -> None:
    """Refuse, before calamine loads it, a file that would exhaust the memory: more than
    MAX_UNCOMPRESSED bytes once unzipped, or a sheet of more than MAX_CELLS cells (counted
    from A1 to its last filled cell, as calamine lays them out). Only .ods and .xlsx (zip
    files) are accepted; the sheets' XML is scanned as a stream, without any DTD."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if any(name.lower().endswith("workbook.bin") for name in names):
            raise _not_a_spreadsheet()  # the binary XLSB: neither of the formats Registre reads
        scanned = set()
        if "content.xml" in names:
            scanned.add("content.xml")
        if "xl/workbook.xml" in names:  # a file may hold both: calamine would read this one
            scanned |= _xlsx_sheet_parts(archive)
        if not scanned:
            raise _not_a_spreadsheet()
        budget = MAX_UNCOMPRESSED
        for info in archive.infolist():
            if info.filename not in scanned:
                budget = _read_all(archive, info, budget)
            elif info.filename == "content.xml" or not _XlsxScan.fits(archive, info, budget):
                # ODS (cells placed by repeat counts), or a sheet the quick scan cannot vouch for.
                budget = _read_all(archive, info, budget, _CellCounter(ods=info.filename == "content.xml"))
            else:
                budget -= info.file_size
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError, expat.ExpatError) as error:
        raise _not_a_spreadsheet() from error


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> set[str]:
    """The parts of an XLSX a reader may load as sheets: those under xl/worksheets/, and any
    part the workbook's relationships name, found by its file name wherever it is stored (a
    sheet may be put in any folder the relationships point to)."""
    named = set()
    for info in archive.infolist():
        if info.filename.lower().endswith("workbook.xml.rels"):
            if info.file_size > 1 << 20:
                raise _too_large()
            named |= {posixpath.basename(target.replace("\\", "/")).lower() for target in _targets(archive.read(info))}
    return {
        info.filename
        for info in archive.infolist()
        if info.filename.startswith("xl/worksheets/") or posixpath.basename(info.filename).lower() in named
    }


def _targets(rels: bytes) -> list[str]:
    """The targets a relationships part names (its XML parsed without any DTD)."""
    targets = []
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _CellCounter.refuse
    parser.StartElementHandler = lambda _name, attributes: targets.extend(
        value for key, value in attributes.items() if key.rsplit("}", 1)[-1] == "Target"
    )
    parser.Parse(rels, True)
    return targets


def _read_all(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, counter=None) -> int:
    """Unpack one member as a stream (feeding ``counter``); the budget left after it."""
    with archive.open(info) as member:
        while chunk := member.read(1 << 20):
            budget -= len(chunk)
            if budget < 0:
                raise _too_large()
            if counter:
                counter.feed(chunk)
    return budget


class _XlsxScan:
    """The quick way through an XLSX sheet: its cell tags counted and their places read by
    regular expressions, a chunk at a time, rather than a Python call per XML event (5,000
    activities' register: 0.6 s instead of 3.3 s). Every writer (Excel, LibreOffice,
    openpyxl, XlsxWriter) names a cell's place first (``<c r="B7" …``): the scan vouches for
    a sheet whose cells all do so and which fits even counting its empty cells; it leaves
    any other sheet (a cell without its place, a namespace prefix, a DTD, a tag longer than
    64 KB, a sheet that may not fit) to ``_CellCounter``."""

    PLACE = re.compile(rb'<c[ \t\r\n]+r="([A-Z]{1,3})([0-9]{1,7})"')
    CELL = re.compile(rb"<c[ \t\r\n>/]")  # any cell's tag
    # Any prefix, even one XML forbids: calamine ignores it. Sought only in a piece holding ":c" (the 32 MB of XML of
    # 5,000 activities have none): searched for everywhere, it took 0.18 s of their 0.5 s scan.
    PREFIXED = re.compile(rb"<[^\s<>]*:c[\s/>]")
    DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")

    @classmethod
    def fits(cls, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bool:
        """True if the sheet surely fits in memory, False if the scan cannot tell.
        zipfile unpacks no more than the member's declared size."""
        if info.file_size > budget:
            raise _too_large()
        height = cells = 0
        letters = set()
        with archive.open(info) as member:
            for text in cls.whole_tags(member):
                if text is None or cls.DTD.search(text) or (b":c" in text and cls.PREFIXED.search(text)):
                    return False
                places = cls.PLACE.findall(text)
                if len(places) != len(cls.CELL.findall(text)):
                    return False  # a cell that does not name its place first
                if places:
                    cells += len(places)
                    height = max(height, *map(int, map(itemgetter(1), places)))
                    letters.update(map(itemgetter(0), places))
                    width = max(column_index(letters.decode()) for letters in letters) + 1
                    if height * width > MAX_CELLS or cells > MAX_CELLS:
                        return False  # empty cells included: the parser counts the filled ones
        return True

    @staticmethod
    def whole_tags(member) -> Iterator[bytes | None]:
        """The member's text in pieces that end before a "<" (no tag is cut in two; a tag
        never holds one); None for a piece that runs on for more than 64 KB without one."""
        rest = b""
        while chunk := member.read(1 << 20):
            text = rest + chunk
            cut = text.rfind(b"<")
            if cut > 0:
                yield text[:cut]
                text = text[cut:]
            if len(text) > 1 << 16:
                yield None
                return
            rest = text
        yield rest


class _CellCounter:
    """Follows the rows and cells of the sheets' XML (ODS repeats included) and raises
    ``_too_large()`` as soon as a sheet reaches past MAX_CELLS cells."""

    def __init__(self, ods: bool):
        self.ods = ods
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.StartDoctypeDeclHandler = self.refuse
        self.parser.EntityDeclHandler = self.refuse
        self.new_sheet()

    def feed(self, chunk: bytes) -> None:
        self.parser.Parse(chunk, False)

    @staticmethod
    def refuse(*args):
        raise ValueError("no DTD in a spreadsheet")

    def new_sheet(self):
        self.row = self.col = self.height = self.width = self.cells = 0
        self.row_repeat = self.cell_repeat = 1
        self.row_width, self.in_cell, self.filled = 0, False, False

    def start(self, name: str, attributes: dict) -> None:
        local = name.rsplit("}", 1)[-1]
        if self.in_cell:
            self.filled = True  # a value, a text or a formula inside the cell
        elif local == "table" and self.ods:
            self.new_sheet()
        elif local in ("table-row", "row"):
            self.start_row(attributes)
        elif local in ("table-cell", "covered-table-cell", "c"):
            self.start_cell(attributes)

    def start_row(self, attributes: dict) -> None:
        self.row_width = self.col = 0
        if self.ods:
            self.row_repeat = self.repeat(attributes, "number-rows-repeated")
        elif reference := _attribute(attributes, "r"):
            self.row = int(reference) - 1

    def start_cell(self, attributes: dict) -> None:
        self.in_cell = True
        if self.ods:
            self.cell_repeat = self.repeat(attributes, "number-columns-repeated")
            self.filled = _attribute(attributes, "value-type") is not None
        else:
            self.filled = False
            if match := re.fullmatch(r"([A-Z]{1,3})(\d+)", _attribute(attributes, "r") or ""):
                self.col = column_index(match.group(1))

    def end(self, name: str) -> None:
        local = name.rsplit("}", 1)[-1]
        if local in ("table-cell", "covered-table-cell", "c") and self.in_cell:
            self.in_cell = False
            if self.filled:
                self.row_width = self.col + self.cell_repeat
                self.cells += self.cell_repeat * self.row_repeat
            self.col += self.cell_repeat
        elif local in ("table-row", "row"):
            if self.row_width:
                self.height, self.width = self.row + self.row_repeat, max(self.width, self.row_width)
            self.row += self.row_repeat
        if self.height * self.width > MAX_CELLS or self.cells > MAX_CELLS:
            raise _too_large()

    @staticmethod
    def repeat(attributes: dict, name: str) -> int:
        return int(_attribute(attributes, name) or 1)


def _attribute(attributes: dict, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    return next((value for key, value in attributes.items() if key.rsplit("}", 1)[-1] == name), None)


def column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def column_letter(index: int) -> str:
    """The letters of a 0-based column index ("A", "AB")."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
