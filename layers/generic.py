"""Generic layers from your own data, with no code: points, lines and areas.

Each builder reads any source :func:`geo.read_data` reads (CSV with lon/lat,
GeoJSON, GeoPackage, zipped Shapefile, any CRS) or a (Geo)DataFrame, and turns
columns into the map through options a spec can set::

    layers.build("points", data="markets.csv", size="visitors", color="kind",
                 label="name", units="visitors a day")
    layers.build("areas", data="index.csv", join="admin1", on="province",
                 value="index", scheme="quantiles", classes=4, palette="Reds")

Sizes are proportional symbols keyed from the data (:mod:`layers.keys`); colours
are categories or classes (:mod:`layers.classes`). In Python, ``style`` names a
role of :data:`layers.theme.THEME` (or is a Style), ``fields`` lists the tooltip
columns and ``label_priority`` a numeric column deciding which labels win. The
story layers are presets over the same :func:`generic_layer` step
(:mod:`layers.presets`).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

import geo
from geo import plausibility
from geo.checks import Rows
from layers.classes import (
    NO_DATA_KEY,
    class_categories,
    classify,
    qualitative_colours,
    sequential_colours,
)
from layers.keys import data_size_scale
from layers.layer import Layer
from layers.source import (
    REGION_COLUMN,
    data_name,
    joined,
    looked_up,
    merged_error,
    places_credits,
    user_credit,
)
from layers.style import Categories, Credit, Field, LegendEntry, Style
from layers.theme import THEME
from layers.theme import style as theme_style

Data = str | Path | pd.DataFrame
FieldsOption = Sequence[str | Field] | None
StyleOption = str | Style | None

#: Column holding each feature's category or class label.
CLASS_COLUMN = "fg_class"
#: Most categories a colour legend shows.
MAX_CATEGORIES = 12
#: Most columns shown in a tooltip when `fields` is not given.
MAX_FIELDS = 8
#: A numeric colour column with more distinct values than this is classed, not categorised.
MAX_NUMERIC_CATEGORIES = 7
#: Proportional symbols: largest and smallest diameter in pixels.
SYMBOL_MAX_SIZE = 36.0
SYMBOL_MIN_SIZE = 4.0
DEFAULT_PALETTE = "Blues"
NUMBER_FORMAT = "{:,.10g}"
#: How geo.read_data's message about a table without coordinates (or geometry) begins.
NO_COORDINATES = ("has no coordinates", "has no geometry")
LAT_LON_HINT = "add 'lat' and 'lon' columns in decimal degrees"
PLACE_HINT = (
    'or, for a table of place names, give place = "COLUMN" to look them up in the gazetteer'
)


def points(
    data: Data,
    *,
    label: str | None = None,
    size: str | None = None,
    color: str | None = None,
    scheme: str | None = None,
    classes: int = 5,
    breaks: Sequence[float] | None = None,
    palette: str | Sequence[str] | None = None,
    units: str | None = None,
    title: str | None = None,
    place: str | None = None,
    credit: str | None = None,
    credit_url: str | None = None,
    style: StyleOption = None,
    fields: FieldsOption = None,
    label_priority: str | None = None,
    time: str | None = None,
) -> Layer:
    """Points from your data: optionally sized by a number and coloured by a column.

    Parameters
    ----------
    data : path, URL, DataFrame or GeoDataFrame
        Point features, a CSV with lon/lat columns, or (with `place`) a table of place names.
    label : str, optional
        Column of map labels.
    size : str, optional
        Numeric column (>= 0; empty = not reported): circles whose area is proportional.
    color : str, optional
        Column to colour by: categories, or classes of numbers where `scheme` or
        `breaks` is given (or the column has many distinct numbers).
    scheme, classes, breaks, palette
        How numbers are classed and coloured (see :func:`areas`).
    units : str, optional
        What `size` counts, for the key's title ("Visitors a day (circle area)").
    title : str, optional
        Layer title (default: the file's name).
    place : str, optional
        Column of place names looked up in the gazetteer (:func:`geo.place`), for a
        table without coordinates.
    credit, credit_url : str, optional
        The real source of the data (default: the file's name).
    style : str or Style, optional
        A role of :data:`layers.theme.THEME`, or a Style.
    fields : list of str or Field, optional
        Tooltip columns (default: the columns used, then the others).
    label_priority : str, optional
        Numeric column: higher values are labelled first (default: `size`).
    time : str, optional
        Column of dates (YYYY-MM-DD; empty = undated, shown at every step): the web
        map gets a time slider, and ``[multiples]`` and ``[motion]`` draw its steps.

    Raises
    ------
    geo.DataError
        Naming the file, the line and the column: a missing column, a value of the
        wrong kind, every unknown place at once, a bad option value.
    """
    source = _source_name(data)
    wanted = {"label": label, "size": size, "color": color, "place": place,
              "label_priority": label_priority, "time": time}  # fmt: skip
    kinds = _column_kinds(wanted, numeric=("size", "label_priority"), fields=fields)
    if color and (scheme or breaks is not None):
        kinds[color] = "number"
    schema = geo.Schema(required=kinds, geometry="point", at_least_zero=(size,) if size else ())
    credits = [user_credit(data, credit, credit_url)]
    with _naming_options(wanted):
        if place:
            rows = Rows(source, 2, "line")
            table = _read_rows_then(data, schema, lambda raw: looked_up({place: raw[place]}, rows))
            found = looked_up({place: table[place]}, rows)[place]
            frame = gpd.GeoDataFrame(table, geometry=[p.point for p in found], crs=4326)
            credits += places_credits(found)
        else:
            frame = _located(data, source, schema)
    _warn_implausible_points(frame, _rows(data, source), size, units, placed=bool(place))
    base = base_style(style, "user_symbol" if size else "user_point", source)
    frame, categories = coloured(frame, color, "point", base, scheme, classes, breaks, palette,
                                 source)  # fmt: skip
    scale = None
    if size:
        scale = data_size_scale(
            frame[size], column=size, units=units, max_size=SYMBOL_MAX_SIZE,
            min_size=SYMBOL_MIN_SIZE, unknown_size=SYMBOL_MIN_SIZE, by_area=True,
        )  # fmt: skip
    return generic_layer(
        frame,
        layer_id="points",
        kind="point",
        title=title or _default_title(data, "Points"),
        base=base,
        categories=categories,
        size=scale,
        fields=_fields(frame, fields, [label, size, color], {size: units}),
        label=label,
        label_priority=label_priority or (size if label else None),
        credits=credits,
        description=f"{len(frame)} points from {data_name(data)}.",
        time=time,
    )


def lines(
    data: Data,
    *,
    color: str | None = None,
    label: str | None = None,
    scheme: str | None = None,
    classes: int = 5,
    breaks: Sequence[float] | None = None,
    palette: str | Sequence[str] | None = None,
    title: str | None = None,
    credit: str | None = None,
    credit_url: str | None = None,
    style: StyleOption = None,
    fields: FieldsOption = None,
    label_priority: str | None = None,
    time: str | None = None,
) -> Layer:
    """Lines from your data (roads, rivers, routes), optionally coloured by a column.

    Parameters are those of :func:`points`; lines take no size.
    """
    source = _source_name(data)
    wanted = {"label": label, "color": color, "label_priority": label_priority, "time": time}
    kinds = _column_kinds(wanted, numeric=("label_priority",), fields=fields)
    if color and (scheme or breaks is not None):
        kinds[color] = "number"
    with _naming_options(wanted):
        frame = geo.read_data(
            _as_geodata(data, source), geo.Schema(required=kinds, geometry="line"),
            name=_frame_name(data),
        )  # fmt: skip
    base = base_style(style, "user_line", source)
    frame, categories = coloured(frame, color, "line", base, scheme, classes, breaks, palette,
                                 source)  # fmt: skip
    return generic_layer(
        frame,
        layer_id="lines",
        kind="line",
        title=title or _default_title(data, "Lines"),
        base=base,
        categories=categories,
        fields=_fields(frame, fields, [label, color], {}),
        label=label,
        label_priority=label_priority,
        credits=[user_credit(data, credit, credit_url)],
        description=f"{len(frame)} lines from {data_name(data)}.",
        time=time,
    )


def areas(
    data: Data,
    *,
    value: str | None = None,
    join: str | None = None,
    on: str | None = None,
    scheme: str | None = None,
    classes: int = 5,
    breaks: Sequence[float] | None = None,
    palette: str | Sequence[str] = "Reds",
    label: str | None = None,
    title: str | None = None,
    credit: str | None = None,
    credit_url: str | None = None,
    style: StyleOption = None,
    fields: FieldsOption = None,
    label_priority: str | None = None,
    time: str | None = None,
) -> Layer:
    """Areas from your data: your polygons, or a table joined to built-in geography.

    Parameters
    ----------
    data : path, URL, DataFrame or GeoDataFrame
        Polygons (GeoJSON, GeoPackage, zipped Shapefile, CSV with WKT), or with
        `join` a table without geometry.
    value : str, optional
        Numeric column to colour by classes (a choropleth); rows without a value
        are drawn and listed as "No data".
    join : {"admin1", "countries"}, optional
        Attach the table to first-level divisions or countries.
    on : str, optional
        With `join`: the column naming each region, by name in any spelling the
        gazetteer folds ("Andijon" = "Andijan") or by code ("KG-GB", "UZB").
    scheme : {"quantiles", "natural_breaks", "equal_interval", "fisher_jenks"}
        mapclassify scheme (default quantiles); or give `breaks`.
    classes : int
        Number of classes (2–9).
    breaks : list of float, optional
        Your own class bounds.
    palette : str or list of str
        A ColorBrewer sequential palette ("Reds", "Blues", "YlOrRd", ...) or one
        colour per class.
    label, title, credit, credit_url, style, fields, label_priority, time
        As for :func:`points` (a joined table gains a ``region`` column to label by).
    """
    source = _source_name(data)
    wanted = {"value": value, "on": on, "label": label, "label_priority": label_priority,
              "time": time}  # fmt: skip
    kinds = _column_kinds(wanted, numeric=("value", "label_priority"), fields=fields)
    credits = [user_credit(data, credit, credit_url)]
    with _naming_options(wanted):
        if join is not None:
            kinds.pop(REGION_COLUMN, None)  # the join adds it
            table = _read_rows_then(
                data, geo.Schema(required=kinds), lambda raw: joined(raw, join, on, source)
            )
            frame = joined(table, join, on, source)
            credits.append(Credit.of(join))
        else:
            frame = geo.read_data(
                _as_geodata(data, source), geo.Schema(required=kinds, geometry="area"),
                name=_frame_name(data),
            )  # fmt: skip
    base = base_style(style, "user_area", source)
    if value and breaks is None:
        scheme = scheme or "quantiles"
    frame, categories = coloured(frame, value, "area", base, scheme, classes, breaks, palette,
                                 source)  # fmt: skip
    first = [REGION_COLUMN if join else label, value]
    return generic_layer(
        frame,
        layer_id="areas",
        kind="area",
        title=title or _default_title(data, "Areas"),
        base=base,
        categories=categories,
        fields=_fields(frame, fields, first, {value: title}),
        label=label,
        label_priority=label_priority,
        credits=credits,
        description=f"{len(frame)} areas from {data_name(data)}.",
        time=time,
    )


# --- the shared GeoDataFrame -> Layer step -------------------------------------------------


def generic_layer(
    frame: gpd.GeoDataFrame,
    *,
    layer_id: str,
    kind: str,
    title: str,
    base: Style,
    credits: list[Credit],
    categories: Categories | None = None,
    size=None,
    fields: list[Field] | None = None,
    label: str | None = None,
    label_priority: str | None = None,
    description: str = "",
    legend: str | None = None,
    time: str | None = None,
    series: pd.DataFrame | None = None,
    series_title: str = "",
) -> Layer:
    """A Layer from checked features: its legend is the categories, else one row.

    The one row reads `legend` (default `title`); with a size scale, no categories
    and no `legend` the legend is the size key alone. The story layers are presets
    over this step (:mod:`layers.presets`); `time`, `series` and `series_title`
    are the :class:`Layer` attributes of those names.
    """
    if categories is not None:
        rows = categories.legend(kind)
    elif legend is None and size is not None:
        rows = []
    else:
        rows = [LegendEntry(legend or title, base, kind)]
    return Layer(
        id=layer_id,
        title=title,
        kind=kind,
        frame=gpd.GeoDataFrame(frame, geometry=frame.geometry.name, crs="EPSG:4326"),
        style=base,
        categories=categories,
        size=size,
        legend=rows,
        fields=fields or [],
        label=label,
        label_priority=label_priority,
        time=time,
        credits=list(dict.fromkeys(credits)),
        description=description,
        series=series,
        series_title=series_title,
    )


def coloured(
    frame: gpd.GeoDataFrame,
    column: str | None,
    kind: str,
    base: Style,
    scheme: str | None,
    classes: int,
    breaks: Sequence[float] | None,
    palette: str | Sequence[str] | None,
    source: str,
) -> tuple[gpd.GeoDataFrame, Categories | None]:
    """`frame` with a :data:`CLASS_COLUMN` and the Categories colouring it by `column`.

    Numbers are classed where `scheme` or `breaks` is given or where they have more
    than :data:`MAX_NUMERIC_CATEGORIES` distinct values; anything else is a category.
    """
    if column is None:
        return frame, None
    values = frame[column]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    missing = bool(values.isna().any())
    if scheme or breaks is not None or (numeric and values.nunique() > MAX_NUMERIC_CATEGORIES):
        found = classify(values, scheme=scheme, classes=classes, breaks=breaks, source=source,
                         column=column)  # fmt: skip
        colours = sequential_colours(palette or DEFAULT_PALETTE, len(found.labels), source)
        categories = class_categories(CLASS_COLUMN, found.labels, colours, base, kind,
                                      no_data=missing)  # fmt: skip
        return frame.assign(**{CLASS_COLUMN: found.of(values)}), categories
    names = values.dropna().map(_category_text)
    distinct = sorted(set(names), key=_natural_order)
    if len(distinct) > MAX_CATEGORIES:
        raise geo.DataError(
            source,
            f"column {column!r} has {len(distinct)} different values; a colour legend shows "
            f"at most {MAX_CATEGORIES}",
            field=column,
            hint="give scheme = 'quantiles' to colour numbers by class, or group the values",
        )
    colours = qualitative_colours(palette, len(distinct), source)
    labels = class_categories(CLASS_COLUMN, distinct, colours, base, kind, no_data=missing)
    # Text values name categories, not classes of a scale: the legend may leave out
    # those with nothing in view (classes of a scale are all kept, to show the scale).
    labels = dataclasses.replace(labels, ordered=False)
    codes = values.map(lambda v: NO_DATA_KEY if pd.isna(v) else _category_text(v))
    return frame.assign(**{CLASS_COLUMN: codes.astype(object)}), labels


# --- helpers --------------------------------------------------------------------------------


def _column_kinds(
    wanted: dict[str, str | None], numeric: Sequence[str], fields: FieldsOption
) -> dict[str, str]:
    """Schema kinds of the columns the options name (numbers where the option needs them)."""
    kinds = {column: "str" for column in _field_columns(fields)}
    for option, column in wanted.items():
        if column:
            if not isinstance(column, str):
                raise geo.DataError(
                    "layer options", f"{option} must name a column, not {column!r}", field=option
                )
            kinds[column] = "number" if option in numeric else "date" if option == "time" else "str"
    return kinds


class _naming_options:  # noqa: N801 - used as a context manager, named for what it does
    """Re-raise a DataError about a column an option names with the option in the message."""

    def __init__(self, wanted: dict[str, str | None]) -> None:
        self.by_column = {column: option for option, column in wanted.items() if column}

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, trace) -> bool:
        if isinstance(error, geo.DataError) and error.field in self.by_column:
            option = self.by_column[error.field]
            raise geo.DataError(
                error.source,
                f"{error.problem} (option {option} = {error.field!r})",
                row=error.row,
                field=error.field,
                hint=error.hint,
                problems=error.problems,
            ) from None
        return False


def _fields(
    frame: pd.DataFrame, fields: FieldsOption, first: list[str | None], labels: dict
) -> list[Field]:
    """Tooltip fields: the given ones, else the columns used first and then the others."""
    if fields is not None:
        return [f if isinstance(f, Field) else _field(frame, f, f) for f in fields]
    used = [c for c in first if c]
    others = [c for c in frame.columns if c not in used and c != frame.geometry.name
              and c != CLASS_COLUMN]  # fmt: skip
    columns = list(dict.fromkeys([*used, *others]))[:MAX_FIELDS]
    return [_field(frame, c, labels.get(c) or c) for c in columns]


def _field(frame: pd.DataFrame, column: str, label: str) -> Field:
    numeric = column in frame and pd.api.types.is_numeric_dtype(frame[column])
    text = str(label)
    return Field(column, text[:1].upper() + text[1:], NUMBER_FORMAT if numeric else "{}")


def _field_columns(fields: FieldsOption) -> list[str]:
    return [f.column if isinstance(f, Field) else str(f) for f in fields or []]


def base_style(style: StyleOption, default: str, source: str) -> Style:
    """A Style as given, the theme's role `style`, or the role `default`."""
    if isinstance(style, Style):
        return style
    role = style or default
    if role not in THEME:
        close = difflib.get_close_matches(str(role), list(THEME), n=3)
        raise geo.DataError(
            source,
            f"style {role!r} is not a role of the theme",
            field="style",
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + f"roles: {', '.join(THEME)}",
        )
    return theme_style(role)


def _read_rows_then(data: Data, schema: geo.Schema, check: Callable[[pd.DataFrame], object]):
    """The rows of `data` checked by `schema`; where values are bad, `check` runs too.

    `check` (a gazetteer lookup, a join) raises its own DataError for the raw rows;
    its problems are reported in the same error as the bad values, not on the next run.
    """
    try:
        return geo.read_rows(data, schema, name=_frame_name(data))
    except geo.DataError as err:
        if not err.problems:
            raise  # a problem with the file as a whole: no rows to check
        raw = geo.read_rows(data, name=_frame_name(data))
        if not set(schema.required) <= set(raw.columns):
            raise
        try:
            check(raw)
        except geo.DataError as names:
            raise merged_error(err, names) from None
        raise


def _warn_implausible_points(
    frame: gpd.GeoDataFrame, rows: Rows, size: str | None, units: str | None, placed: bool
) -> None:
    """Warn of implausible points (:mod:`geo.plausibility`).

    Points in the sea (unless the gazetteer `placed` them), and sizes above the
    population of the point's country where `units` says the sizes count people.
    """
    points = list(frame.geometry)
    if not placed:
        plausibility.warn_points_in_sea(points, rows, _location_field(frame))
    if size and units and plausibility.counts_people(units):
        plausibility.warn_counts_above_population(
            frame[size].astype(float).tolist(), points, rows, size, where="the point"
        )


def _location_field(frame: gpd.GeoDataFrame) -> str:
    """How messages name where a point is: its lat/lon columns, or the geometry column."""
    from geo.read_files import LAT_LON_NAMES

    by_name = {str(c).strip().lower(): str(c) for c in frame.columns}
    for lat, lon in LAT_LON_NAMES:
        if lat in by_name and lon in by_name:
            return f"{by_name[lon]}/{by_name[lat]}"
    return str(frame.geometry.name)


def _located(data: Data, source: str, schema: geo.Schema) -> gpd.GeoDataFrame:
    """Point features read by :func:`geo.read_data`.

    Where the data has no coordinates, the error also names the ``place`` option,
    the other way to place a table's rows.
    """
    try:
        return geo.read_data(_as_geodata(data, source), schema, name=_frame_name(data))
    except geo.DataError as err:
        if err.row is not None or not err.problem.startswith(NO_COORDINATES):
            raise
        raise geo.DataError(
            err.source,
            err.problem,
            field=err.field,
            hint=f"{err.hint or LAT_LON_HINT}, {PLACE_HINT}",
            problems=err.problems,
        ) from None


def _as_geodata(data: Data, source: str) -> str | Path | gpd.GeoDataFrame:
    """A path or GeoDataFrame for :func:`geo.read_data`; a DataFrame needs lon/lat columns."""
    return data  # geo.read_data reads a DataFrame as its CSV (lat/lon or WKT columns)


def _rows(data: Data, source: str) -> Rows:
    """How the rows of `data` are named: CSV and DataFrame lines, or vector features."""
    is_csv = isinstance(data, str | Path) and str(data).lower().endswith(".csv")
    if is_csv or (isinstance(data, pd.DataFrame) and not isinstance(data, gpd.GeoDataFrame)):
        return Rows(source, 2, "line")
    return Rows(source, 1, "feature")


def _source_name(data: Data) -> str:
    """How messages name the data: the path as given, or the kind of frame."""
    return _frame_name(data) if isinstance(data, pd.DataFrame) else str(data)


def _frame_name(data: Data) -> str:
    return "<GeoDataFrame>" if isinstance(data, gpd.GeoDataFrame) else "<DataFrame>"


def _default_title(data: Data, fallback: str) -> str:
    if isinstance(data, pd.DataFrame):
        return fallback
    stem = Path(str(data)).stem.replace("_", " ").replace("-", " ").strip()
    return stem[:1].upper() + stem[1:] if stem else fallback


def _category_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _natural_order(text: str) -> tuple:
    """Numbers in numeric order, then text alphabetically."""
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text.casefold())
