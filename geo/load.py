"""Loading embedded (or refreshed) datasets by name, and reading users' CSV files.

Embedded and refreshed tables are plain comma-separated UTF-8 and are read by
:func:`parse_csv` as they are. Users' files go through :func:`read_csv` (and so
:func:`geo.read_data`, :func:`geo.read_rows`, :func:`geo.read_table`), which records
them as read (:func:`recording`) and reads them by these rules.

Users' CSV files
----------------
* **Encoding.** UTF-8, with or without a byte-order mark (BOM); UTF-16 with a BOM
  (Excel's "Unicode text"). A file that is not UTF-8 is read as Windows-1251 only if
  every non-ASCII character it then holds is a Cyrillic letter or common punctuation
  (« » – — № …), no word mixes Cyrillic and Latin letters, and at least one word has
  two Cyrillic letters: Russian text passes, while Latin-1 text ("Namangán") gives
  mixed words ("Namangбn") and fails. Otherwise it is read as Latin-1 (precisely
  Windows-1252, its superset) only if every non-ASCII character is a Latin letter or
  common punctuation and every word of two or more letters holding one also holds a
  plain ASCII letter: "Zürich" passes, Cyrillic read as Latin-1 ("Ìîñêâà") fails.
  Either way a :class:`geo.read.DataWarning` names the encoding assumed. Any other
  file is refused, naming the line (and column) of the first byte that is not UTF-8,
  with the fix: save it as UTF-8. (charset-normalizer was not used: on files of a
  few lines it confuses Windows-1251 and Latin-1, and a rule is easier to explain.)
* **Separator.** ``,``, ``;`` or tab, chosen by counting each outside double quotes in
  the header and the next records (up to :data:`SNIFF_RECORDS` in all): the separator
  found in the header the same number of times on every sampled record wins (the most
  frequent if several do); if none is consistent, the one most frequent in the header;
  with none in the header (one column), ``,``. :class:`csv.Sniffer` is not used: it
  guesses from character frequencies, may pick letters or spaces, and raises on
  one-column files. The separator is named wherever the file's columns are listed.
* **Numbers.** A column whose every value is a number as written by the rules of
  :mod:`geo.checks` (thousands separators, and in ``;`` files a decimal comma) is read
  as numbers; in a ``;`` file a column pandas took for numbers but holding an
  ambiguous value such as ``1.200`` is kept as text, so the schema checks name it.
* **Rows.** An empty file, or a header without data rows, is an error.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import functools
import io
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from geo.cache import copy_in_use
from geo.catalog import dataset
from geo.checks import Rows, has_ambiguous_numbers, parsed_numbers, separator_name
from geo.errors import DataError, DataWarning
from geo.raster import Raster, read_geotiff

#: Separators a user's CSV may use, in order of preference when counts tie.
SEPARATORS = (",", ";", "\t")
#: Records (header included) looked at to sniff the separator.
SNIFF_RECORDS = 50
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
#: Non-letters a Windows-1251 or Latin-1 file may hold besides its letters.
_PUNCTUATION = frozenset("\u00a0«»–—‘’‚“”„…•°№€£§©®±µ·")


@dataclass
class Used:
    """What a block of code read: catalog datasets by name and the user's own files.

    Attributes
    ----------
    datasets : set of str
        Catalog names read through :func:`load` (embedded or refreshed copies).
    files : set of Path
        Resolved paths of user files read through :func:`geo.read_data`,
        :func:`geo.read_rows`, :func:`geo.read_table` or :func:`read_csv`.
    """

    datasets: set[str] = field(default_factory=set)
    files: set[Path] = field(default_factory=set)


_RECORDERS: contextvars.ContextVar[tuple[Used, ...]] = contextvars.ContextVar(
    "fergana_dataset_recorders", default=()
)


@contextlib.contextmanager
def recording() -> Iterator[Used]:
    """Collect the datasets and user files read inside the block.

    Builds use it to record which data each map depends on.

    Examples
    --------
    >>> with recording() as used:  # doctest: +SKIP
    ...     layers.build("enclaves")
    >>> sorted(used.datasets)  # doctest: +SKIP
    ['countries', 'enclaves', 'enclaves_geometry']
    """
    used = Used()
    token = _RECORDERS.set((*_RECORDERS.get(), used))
    try:
        yield used
    finally:
        _RECORDERS.reset(token)


_SUBSTITUTES: contextvars.ContextVar[MappingProxyType] = contextvars.ContextVar(
    "fergana_dataset_substitutes", default=MappingProxyType({})
)


@contextlib.contextmanager
def substituted(name: str, frame: pd.DataFrame) -> Iterator[None]:
    """Inside the block, :func:`load` returns `frame` for `name` (a user's own table).

    Examples
    --------
    >>> with substituted("violence_2010", my_table):  # doctest: +SKIP
    ...     layer = layers.build("violence")
    """
    token = _SUBSTITUTES.set(MappingProxyType({**_SUBSTITUTES.get(), name: frame}))
    try:
        yield
    finally:
        _SUBSTITUTES.reset(token)


def mark_used(*names: str) -> None:
    """Record `names` as read, for code that reads datasets through its own cache."""
    for used in _RECORDERS.get():
        used.datasets.update(names)


def mark_file_read(path: str | Path) -> None:
    """Record a user file as read (builds hash it to know when a map is stale)."""
    resolved = Path(path).resolve()
    for used in _RECORDERS.get():
        used.files.add(resolved)


def load(name: str) -> gpd.GeoDataFrame | pd.DataFrame | Raster:
    """Load a catalog dataset.

    Parameters
    ----------
    name : str
        A name from :func:`geo.catalog` (``fergana data list``).

    Returns
    -------
    GeoDataFrame, DataFrame or Raster
        Vector data as a GeoDataFrame in the declared CRS; tables with ``lat`` and
        ``lon`` columns as a GeoDataFrame of points (rows without coordinates
        keep an empty geometry); other tables as a DataFrame; rasters as
        :class:`geo.Raster`. Each call returns a fresh copy of a per-process cache.

    Examples
    --------
    >>> countries = geo.load("countries")  # doctest: +SKIP
    """
    substitute = _SUBSTITUTES.get().get(name)
    if substitute is not None:
        return substitute.copy()
    mark_used(name)
    copy = copy_in_use(name)
    data = _read(name, copy.path, copy.path.stat().st_mtime_ns)
    return data if isinstance(data, Raster) else data.copy()


@functools.lru_cache(maxsize=64)
def _read(name: str, path: Path, _mtime: int) -> gpd.GeoDataFrame | pd.DataFrame | Raster:
    entry = dataset(name)
    if entry.kind == "raster":
        return read_geotiff(path, crs=entry.crs)
    if entry.kind == "table":
        return table_to_frame(parse_csv(path), path, crs=entry.crs or None)
    frame = gpd.read_file(path, engine="pyogrio")
    if frame.crs is None:
        raise DataError(path, "has no CRS", hint=f"the catalog declares {entry.crs}")
    return frame.to_crs(entry.crs) if frame.crs != entry.crs else frame


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a user's CSV (recorded as read, see :func:`recording`); see :func:`user_csv`.

    The frame's ``attrs`` hold ``"separator"`` and ``"encoding"`` as read.
    """
    table = user_csv(path)
    frame = table.frame
    frame.attrs.update(separator=table.separator, encoding=table.encoding)
    return frame


def user_csv(path: str | Path, *, label: str | None = None, record: bool = True) -> UserCsv:
    """A user's CSV with its separator and encoding sniffed, recorded as read.

    See "Users' CSV files" in the module docstring for the rules. Messages name the
    file `label` (default: `path` as given), e.g. the URL a file was downloaded from;
    `record` False leaves such a temporary copy out of :func:`recording`.

    Raises
    ------
    geo.DataError
        The file is missing, empty, has no data rows, is not well formed (naming the
        line), or is neither UTF-8 nor clearly Windows-1251 / Latin-1 (naming the line
        and column of the first byte that is not UTF-8).

    Warns
    -----
    geo.read.DataWarning
        The file was read as Windows-1251 or Latin-1 (naming which).
    """
    if record:
        mark_file_read(path)
    source = str(path) if label is None else label
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError(source, "no such file") from None
    text, encoding = _decoded(data, source)
    if not text.strip():
        raise DataError(source, "is empty", hint="give a header row and at least one row")
    separator = sniffed_separator(text)
    table = _parsed(text, separator, source)
    if len(table) == 0:
        rows = Rows(source, 2, "line", separator)
        raise DataError(
            source,
            f"has a header but no data rows ({rows.columns(table)})",
            hint="add at least one row of data below the header",
        )
    return UserCsv(table, separator, encoding)


def parse_csv(path: str | Path) -> pd.DataFrame:
    """Read a UTF-8 comma-separated CSV with a header row (embedded and refreshed data).

    A bad encoding raises :class:`geo.DataError`. Users' files go through
    :func:`read_csv` instead, which also sniffs the separator and the encoding.
    """
    try:
        return pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise DataError(path, "no such file") from None
    except UnicodeDecodeError as err:
        raise DataError(
            path,
            f"is not valid UTF-8 (byte {err.start})",
            hint="save the file as UTF-8 CSV",
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(path, "is empty", hint="give a header row and at least one row") from None
    except pd.errors.ParserError as err:
        raise DataError(path, f"is not a well-formed CSV ({err})") from None


# --- users' CSV files ----------------------------------------------------------------


@dataclass(frozen=True)
class UserCsv:
    """A user's CSV as read: the table, its separator and the encoding it was read with."""

    frame: pd.DataFrame
    separator: str  # ",", ";" or "\t"
    encoding: str  # e.g. "UTF-8", "UTF-8 with BOM", "Windows-1251"


def sniffed_separator(text: str) -> str:
    """``","``, ``";"`` or tab: the separator of the CSV `text` (see the module docstring)."""
    records = _separator_counts(text, SNIFF_RECORDS)
    header = records[0]
    candidates = [s for s in SEPARATORS if header[s] > 0]
    if not candidates:
        return ","
    consistent = [s for s in candidates if all(r[s] == header[s] for r in records[1:])]
    return max(consistent or candidates, key=lambda s: header[s])  # ties: first in SEPARATORS


def _separator_counts(text: str, limit: int) -> list[dict[str, int]]:
    """For each of the first `limit` non-blank records, how often each separator occurs.

    Separators inside double quotes do not count; a quoted field may span lines.
    """
    records: list[dict[str, int]] = []
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted, blank = False, True
    for char in text:
        if char == '"':
            quoted, blank = not quoted, False
        elif quoted:
            continue
        elif char == "\n":
            if not blank:
                records.append(counts)
                if len(records) >= limit:
                    return records
            counts, blank = dict.fromkeys(SEPARATORS, 0), True
        elif char in counts:
            counts[char] += 1
            blank = False
        elif not char.isspace():
            blank = False
    if not blank or not records:
        records.append(counts)
    return records


def _decoded(data: bytes, source: str | Path) -> tuple[str, str]:
    """The text of `data` and the name of the encoding it was read with."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), name
            except UnicodeDecodeError as err:
                raise DataError(
                    source,
                    f"starts with a {name} byte-order mark, but byte {err.start + len(bom)} "
                    f"(line {_line_of(data, err.start + len(bom))}) is not {name}",
                    hint="save the file as UTF-8 (in Excel: Save As > 'CSV UTF-8')",
                ) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as err:
        first_bad = err.start
    for codec, name, accept in (
        ("cp1251", "Windows-1251 (Cyrillic)", _reads_as_cyrillic),
        ("cp1252", "Latin-1 (Windows-1252)", _reads_as_latin),
    ):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if accept(text):
            warnings.warn(
                f"{source}: is not UTF-8; read as {name}, the encoding its letters fit "
                f"(first: {_word_at(text, first_bad)!r} on line {_line_of(data, first_bad)}); "
                "save it as UTF-8 to be sure",
                DataWarning,
                stacklevel=4,
            )
            return text, name
    raise _not_utf8(data, first_bad, source)


def _non_ascii_words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text) if not w.isascii()]


def _reads_as_cyrillic(text: str) -> bool:
    """Whether `text` (decoded as Windows-1251) reads as Cyrillic: see the module docstring."""
    if any(ord(c) > 127 and not _is_cyrillic(c) and c not in _PUNCTUATION for c in text):
        return False
    words = _non_ascii_words(text)
    return all(not re.search("[A-Za-z]", w) for w in words) and any(
        sum(map(_is_cyrillic, w)) >= 2 for w in words
    )


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _reads_as_latin(text: str) -> bool:
    """Whether `text` (decoded as Windows-1252) reads as Latin-1: see the module docstring."""
    for char in {c for c in text if ord(c) > 127}:
        if char not in _PUNCTUATION and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return all(len(w) == 1 or re.search("[A-Za-z]", w) for w in _non_ascii_words(text))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _word_at(text: str, offset: int) -> str:
    """The word around character `offset` (single-byte encodings: byte = character)."""
    start = offset
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    end = offset
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start : max(end, offset + 1)]


def _not_utf8(data: bytes, offset: int, source: str | Path) -> DataError:
    """The error for a file that is not UTF-8 at byte `offset`, naming its line and column."""
    line = _line_of(data, offset)
    line_start = data.rfind(b"\n", 0, offset) + 1
    ascii_view = data.decode("latin-1")  # same separators and quotes as every encoding here
    separator = sniffed_separator(ascii_view)
    position = _separator_counts(ascii_view[line_start:offset] + "x", 1)[0][separator]
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
    names = [n.strip().strip('"') for n in header.split(separator)]
    column = names[position] if line > 1 and position < len(names) else None
    return DataError(
        source,
        f"is not valid UTF-8: line {line}"
        + (f" (column '{column}')" if column else "")
        + f" has byte 0x{data[offset]:02X}, and the file does not read clearly as "
        "Windows-1251 (Cyrillic) or Latin-1 either",
        row=line,
        field=column,
        hint="save the file as UTF-8 (in Excel: Save As > 'CSV UTF-8')",
    )


def _parsed(text: str, separator: str, source: str | Path) -> pd.DataFrame:
    """The table in `text`, with numbers written with thousands separators read as numbers."""
    options = {"sep": separator, "keep_default_na": False, "na_values": [""]}
    try:
        inferred = pd.read_csv(io.StringIO(text), **options)
        written = pd.read_csv(io.StringIO(text), dtype=str, **options)
    except pd.errors.EmptyDataError:
        raise DataError(source, "is empty", hint="give a header row and at least one row") from None
    except pd.errors.ParserError as err:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if found is None:
            raise DataError(source, f"is not a well-formed CSV ({err})") from None
        wanted, line, saw = found.groups()
        raise DataError(
            source,
            f"line {line} has {saw} fields, but the header has {wanted} "
            f"(read as {separator_name(separator)})",
            row=int(line),
            hint='quote values that contain the separator, e.g. "Osh, city"',
        ) from None
    return _with_number_columns(inferred, written, separator)


def _with_number_columns(
    inferred: pd.DataFrame, written: pd.DataFrame, separator: str
) -> pd.DataFrame:
    """`inferred` with every column of numbers as numbers, as :mod:`geo.checks` reads them.

    Columns pandas took for numbers but holding a value ambiguous as written (``1.200``
    in a ``;`` file) are kept as the `written` text.
    """
    table = inferred.copy()
    for position in range(table.shape[1]):
        texts = written.iloc[:, position]
        column = table.iloc[:, position]
        pandas_numbers = is_numeric_dtype(column) and not is_bool_dtype(column)
        if texts.isna().all() or (pandas_numbers and separator != ";"):
            continue  # as pandas read it: its numbers are ours where '.' is the decimal mark
        if pandas_numbers and not has_ambiguous_numbers(texts):
            continue  # no comma, every '.' a decimal point: as pandas read it
        if not pandas_numbers and len(parsed_numbers(texts.dropna().head(100), separator)[1]):
            continue  # text: a value among the first hundred is not a number
        numbers, bad = parsed_numbers(texts, separator)
        if pandas_numbers and len(bad):
            table.isetitem(position, texts)  # e.g. 1.200 in a ';' file: 1.2 or 1200?
        elif not pandas_numbers and not len(bad):
            whole = numbers.notna().all() and bool((numbers % 1 == 0).all())
            table.isetitem(position, numbers.astype("int64") if whole else numbers)
    return table


def table_to_frame(
    frame: pd.DataFrame, path: str | Path, crs: str | None = "EPSG:4326"
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Give a table with ``lat``/``lon`` columns point geometry (empty where a row has none)."""
    if not {"lat", "lon"} <= set(frame.columns):
        return frame
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    geometry = gpd.points_from_xy(lon, lat)
    geometry[lat.isna() | lon.isna()] = None
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs or "EPSG:4326")
