"""Users' files as spreadsheets and editors write them: separators, number formats,
encodings, empty files, and every bad row of a file reported in one error.

Each bad case writes a real file and asserts the geo.DataError's source (the file),
row and field, and the key words of its message. Fictional markets and numbers.
"""

import warnings

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import geo
from geo.errors import DataWarning, Problem
from geo.load import parse_csv, read_csv
from geo.read import Schema, read_data, read_rows, read_table

MARKETS = Schema(
    required={"stall": "str", "visitors": "int", "revenue": "number"},
    nonnegative=("visitors",),
)
# Fictional market towns in Portugal and Georgia (not the project's own places).
LISBON, PORTO = (-9.14, 38.72), (-8.61, 41.15)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def raised(read, *args, **kwargs):
    with pytest.raises(geo.DataError) as info:
        read(*args, **kwargs)
    return info.value


def assert_mentions(message, *parts):
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


def quietly(read, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        return read(*args, **kwargs)


# --- separators -------------------------------------------------------------------------


def test_semicolon_export_reads_and_is_recorded(tmp_path):
    path = write(
        tmp_path / "stalls.csv",
        "stall;visitors;revenue;note\n"
        "Fish hall;310;1.250,50;open, covered\n"
        "Flower row;85;980,25;seasonal\n",
    )
    with geo.recording() as used:
        table = quietly(read_rows, path, MARKETS)
    assert list(table.columns) == ["stall", "visitors", "revenue", "note"]
    assert list(table["visitors"]) == [310, 85]
    assert list(table["revenue"]) == pytest.approx([1250.5, 980.25])
    assert list(table["note"]) == ["open, covered", "seasonal"]
    assert path.resolve() in used.files


def test_semicolon_separator_is_named_with_the_columns(tmp_path):
    path = write(tmp_path / "traders.csv", "from;to;traders\nBraga;Faro;12\n")
    err = raised(read_rows, path, Schema(required={"count": "int"}))
    assert (err.source, err.row, err.field) == (str(path), None, "count")
    assert_mentions(
        str(err), "traders.csv", "columns present (read as ';'-separated): from, to, traders"
    )


def test_tab_separated_file(tmp_path):
    path = write(tmp_path / "stalls.tsv.csv", "stall\tvisitors\trevenue\nBakery\t1,200\t15.5\n")
    table = quietly(read_rows, path, MARKETS)
    assert list(table["visitors"]) == [1200]
    assert read_csv(path).attrs["separator"] == "\t"


def test_quoted_separators_do_not_decide(tmp_path):
    # two commas inside quotes on every line must not outvote the one ';'
    path = write(tmp_path / "notes.csv", 'stall;remark\nA;"x, y, z"\nB;"p, q, r"\n')
    assert list(read_csv(path).columns) == ["stall", "remark"]


def test_embedded_reader_does_not_sniff(tmp_path):
    path = write(tmp_path / "plain.csv", "a;b\n1;2\n")
    assert list(parse_csv(path).columns) == ["a;b"]
    assert list(read_csv(path).columns) == ["a", "b"]


def test_row_with_too_many_fields_names_its_line(tmp_path):
    path = write(tmp_path / "stalls.csv", "stall;visitors\nA;1\nB;2;3\n")
    err = raised(read_rows, path)
    assert (err.source, err.row) == (str(path), 3)
    assert_mentions(str(err), "line 3 has 3 fields", "header has 2", "';'-separated")


# --- numbers ---------------------------------------------------------------------------------


def test_thousands_separators_in_a_comma_file(tmp_path):
    path = write(
        tmp_path / "stalls.csv",
        "stall,visitors,revenue\n"
        'North gate,"1,200","12,345,678.5"\n'
        "South gate,1\u00a0500,2\u2009000\n"
        "East gate,1 700,3\u202f000.25\n",
    )
    table = quietly(read_rows, path, MARKETS)
    assert list(table["visitors"]) == [1200, 1500, 1700]
    assert list(table["revenue"]) == pytest.approx([12345678.5, 2000.0, 3000.25])


def test_read_csv_gives_grouped_numbers_as_numbers(tmp_path):
    path = write(tmp_path / "stalls.csv", 'stall,visitors\nA,"1,200"\nB,35\n')
    assert read_csv(path)["visitors"].tolist() == [1200, 35]


def test_decimal_comma_where_the_column_shows_it(tmp_path):
    path = write(
        tmp_path / "shares.csv",
        "stall;visitors;revenue\nA;1.200;0,5\nB;3;1.250,75\nC;4;2\n",
    )
    # visitors: "1.200" alone is ambiguous, but revenue's "0,5" does not decide it
    err = raised(read_rows, path, MARKETS)
    assert (err.source, err.row, err.field) == (str(path), 2, "visitors")
    assert_mentions(str(err), "ambiguous number", "line 2 ('1.200')", "1,2")
    assert [p.field for p in err.problems] == ["visitors"]


def test_grouping_dot_is_read_in_a_decimal_comma_column(tmp_path):
    path = write(tmp_path / "shares.csv", "stall;revenue\nA;1.200\nB;0,5\n")
    table = quietly(read_rows, path, Schema(required={"revenue": "number"}))
    assert list(table["revenue"]) == pytest.approx([1200.0, 0.5])


def test_comma_decimal_is_not_a_number_in_a_comma_file(tmp_path):
    path = write(tmp_path / "stalls.csv", 'stall,visitors,revenue\nA,3,"1,5"\n')
    err = raised(read_rows, path, MARKETS)
    assert (err.source, err.row, err.field) == (str(path), 2, "revenue")
    assert_mentions(str(err), "not a number", "line 2 ('1,5')", "'.' for decimals")


def test_badly_grouped_numbers_are_not_numbers(tmp_path):
    path = write(tmp_path / "stalls.csv", 'stall,visitors\nA,"12,34"\nB,"1,2345"\nC,1 20\n')
    err = raised(read_rows, path, Schema(required={"visitors": "int"}))
    assert [(p.row, p.field, p.problem) for p in err.problems] == [
        (2, "visitors", "not a number"),
        (3, "visitors", "not a number"),
        (4, "visitors", "not a number"),
    ]


# --- encodings ---------------------------------------------------------------------------


def test_utf8_with_bom(tmp_path):
    path = write(tmp_path / "stalls.csv", "\ufeffstall,visitors\nCafé Ribeira,40\n")
    table = quietly(read_rows, path, Schema(required={"stall": "str", "visitors": "int"}))
    assert list(table.columns) == ["stall", "visitors"]
    assert list(table["stall"]) == ["Café Ribeira"]


def test_windows_1251_file_is_read_with_a_warning(tmp_path):
    path = write(
        tmp_path / "рынки.csv",
        "рынок;посетители\nЦентральный рынок;1 200\nЗелёный базар;85\n",
        encoding="cp1251",
    )
    with pytest.warns(DataWarning, match=r"рынки\.csv: is not UTF-8; read as Windows-1251"):
        table = read_rows(path, Schema(required={"посетители": "int"}))
    assert list(table["рынок"]) == ["Центральный рынок", "Зелёный базар"]
    assert list(table["посетители"]) == [1200, 85]


def test_latin1_file_is_read_with_a_warning(tmp_path):
    path = write(
        tmp_path / "mercados.csv",
        "mercado,lat,lon\nSão Tomé Praça,38.72,-9.14\nMercado Bolhão,41.15,-8.61\n",
        encoding="latin-1",
    )
    with pytest.warns(DataWarning, match=r"mercados\.csv: is not UTF-8; read as Latin-1.*line 2"):
        frame = read_data(path)
    assert list(frame["mercado"]) == ["São Tomé Praça", "Mercado Bolhão"]
    assert frame.geometry.iloc[1].x == pytest.approx(PORTO[0])


def test_file_that_is_neither_is_refused_naming_line_and_column(tmp_path):
    # Cyrillic and accented Latin in one Windows file: no single-byte rule fits both
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"stall,city,visitors\nA,Lisbon,3\nB,Caf\xe9 \xce\xf8,4\n")  # Café, Ош
    err = raised(read_rows, path)
    assert (err.source, err.row, err.field) == (str(path), 3, "city")
    assert_mentions(
        str(err),
        "not valid UTF-8",
        "line 3 (column 'city') has byte 0xE9",
        "save the file as UTF-8",
    )


# --- empty files ----------------------------------------------------------------------------


@pytest.mark.parametrize("read", [read_rows, read_data, read_csv])
def test_header_without_rows_is_an_error(tmp_path, read):
    path = write(tmp_path / "stalls.csv", "stall;lat;lon\n")
    err = raised(read, path)
    assert err.source == str(path)
    assert_mentions(
        str(err),
        "has a header but no data rows",
        "columns present (read as ';'-separated): stall, lat, lon",
    )


def test_header_without_rows_for_a_facts_table(tmp_path):
    path = write(tmp_path / "bases.csv", "name,lat,lon\n")
    err = raised(read_table, path, "bases")
    assert err.source == str(path)
    assert_mentions(str(err), "no data rows")


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff"])
def test_empty_file_is_an_error(tmp_path, content):
    path = write(tmp_path / "stalls.csv", content)
    err = raised(read_rows, path)
    assert err.source == str(path)
    assert_mentions(str(err), "empty")


# --- every bad row at once ---------------------------------------------------------------


def test_three_kinds_of_bad_rows_in_two_columns_in_one_error(tmp_path):
    path = write(
        tmp_path / "stalls.csv",
        "stall,visitors,opened\n"
        "A,12,2021-03-01\n"
        "B,lots,2021-03-02\n"
        "C,-3,2021-03-03\n"
        "D,7,31/12/2020\n"
        "E,-1,2021-03-05\n",
    )
    schema = Schema(required={"visitors": "int", "opened": "date"}, nonnegative=("visitors",))
    err = raised(read_rows, path, schema)
    assert (err.source, err.row, err.field) == (str(path), 3, "visitors")
    assert err.problems == (
        Problem(3, "visitors", "not a number", "'lots'"),
        Problem(4, "visitors", "below 0", "-3"),
        Problem(5, "opened", "not a date", "'31/12/2020'"),
        Problem(6, "visitors", "below 0", "-1"),
    )
    assert_mentions(
        str(err),
        "4 problems in 4 lines:\n  field 'visitors', not a number: line 3 ('lots')",
        "\n  field 'visitors', below 0: line 4 (-3), line 6 (-1)",
        "\n  field 'opened', not a date: line 5 ('31/12/2020')",
        "YYYY-MM-DD",
    )


def test_coordinates_and_columns_are_reported_together(tmp_path):
    path = write(
        tmp_path / "stalls.csv",
        "stall,visitors,revenue,lat,lon\n"
        f"A,1,2.5,{LISBON[1]},{LISBON[0]}\n"
        f"B,x,2.5,{PORTO[1]},{PORTO[0]}\n"
        f"C,2,3,,{PORTO[0]}\n"
        "D,3,4,95,-8.6\n",
    )
    err = raised(read_data, path, MARKETS)
    assert {(p.row, p.field, p.problem) for p in err.problems} == {
        (3, "visitors", "not a number"),
        (4, "lat", "no coordinate (an empty cell)"),
        (5, "lat", "latitude outside -90..90"),
    }
    assert "no geometry" not in str(err)


def test_twenty_five_bad_rows_list_twenty(tmp_path):
    rows = "".join(f"Stall {n},many\n" for n in range(25))
    path = write(tmp_path / "stalls.csv", "stall,visitors\n" + rows)
    err = raised(read_rows, path, Schema(required={"visitors": "int"}))
    assert len(err.problems) == 25
    assert (err.row, err.field) == (2, "visitors")
    assert_mentions(str(err), "line 21 ('many') and 5 more")
    assert "line 22" not in str(err)


def test_features_are_named_as_features():
    frame = gpd.GeoDataFrame(
        {"stall": ["A", "B", "C"], "visitors": [3, -2, None]},
        geometry=[shapely.Point(*LISBON), shapely.Point(*PORTO), None],
        crs="EPSG:4326",
    )
    schema = Schema(required={"visitors": "int"}, nonnegative=("visitors",), geometry="point")
    err = raised(read_data, frame, schema, name="survey")
    assert (err.source, err.row, err.field) == ("survey", 2, "visitors")
    assert [(p.row, p.field, p.problem) for p in err.problems] == [
        (2, "visitors", "below 0"),
        (3, "visitors", "no value"),
        (3, "geometry", "no geometry"),
    ]
    assert_mentions(str(err), "3 problems in 2 features", "feature 2 (-2)")


def test_dataframe_rows_keep_working_for_read_rows():
    frame = pd.DataFrame({"stall": ["A", "B"], "visitors": ["1,200", "x"]})
    err = raised(read_rows, frame, Schema(required={"visitors": "int"}), name="typed in")
    assert (err.source, err.row, err.field) == ("typed in", 3, "visitors")
    assert [p.row for p in err.problems] == [3]


def test_excel_unicode_text_is_read(tmp_path):
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated
    path = tmp_path / "stalls.csv"
    path.write_bytes("stall\tvisitors\nBolhão\t1 200\n".encode("utf-16"))
    table = quietly(read_rows, path, Schema(required={"visitors": "int"}))
    assert list(table["stall"]) == ["Bolhão"]
    assert list(table["visitors"]) == [1200]


def test_one_column_file(tmp_path):
    path = write(tmp_path / "stalls.csv", "stall\nA\nB\n")
    frame = read_csv(path)
    assert list(frame["stall"]) == ["A", "B"]
    assert (frame.attrs["separator"], frame.attrs["encoding"]) == (",", "UTF-8")


def test_files_read_by_every_reader_are_recorded(tmp_path):
    towns = write(tmp_path / "towns.csv", f"name;lat;lon\nFaro;37,02;{-7.93}\n".replace(".", ","))
    bases = write(tmp_path / "bases.csv", geo.load("bases").drop(columns="geometry").to_csv())
    with geo.recording() as used:
        frame = quietly(read_data, towns)
        quietly(read_table, bases, "bases")
    assert used.files == {towns.resolve(), bases.resolve()}
    assert (frame.geometry.iloc[0].x, frame.geometry.iloc[0].y) == pytest.approx((-7.93, 37.02))


def test_downloaded_csv_is_named_by_its_url_and_not_recorded(httpserver):
    body = "stall;lat;lon\nA;38,72;-9,14\nB;;-8,61\n".encode("cp1252")
    httpserver.expect_request("/stalls.csv").respond_with_data(body, content_type="text/csv")
    url = httpserver.url_for("/stalls.csv")
    with geo.recording() as used:
        err = raised(read_data, url)
    assert (err.source, err.row, err.field) == (url, 3, "lat")
    assert used.files == set()
