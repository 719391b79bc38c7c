"""Plausibility warnings on data that is not fergana's, and silence on its own."""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest
import shapely

import geo
import layers
from geo import plausibility
from geo.checks import Rows
from layers.presets import PRESETS

COORDINATES = {"origin_lon": "x0", "origin_lat": "y0", "destination_lon": "x1",
               "destination_lat": "y1", "origin": "from", "destination": "to", "count": "n",
               "date": "when"}  # fmt: skip


def _warnings_of(build) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build()
    return [str(w.message) for w in caught if issubclass(w.category, geo.DataWarning)]


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_count_above_the_origin_countrys_population_is_named(tmp_path):
    path = _write(tmp_path, "flows.csv", "origin,destination,count\nOsh,Andijan,1e9\n"
                  "Osh,Andijan,1200\n")  # fmt: skip
    found = _warnings_of(lambda: layers.build("flows", data=path))
    assert found == [
        f"{path}, line 2, field 'count': count 1,000,000,000 is more than the population of "
        "Kyrgyzstan (6,456,900 in 2019, Natural Earth), the country of the origin (check for "
        "extra zeros or a total counted twice)"
    ]


def test_caucasus_flows_with_own_columns_warn_of_population_sea_dates_and_same_ends(tmp_path):
    table = (
        "from,to,n,when,x0,y0,x1,y1\n"
        "Tbilisi,Baku,30000000,2019-05-01,44.79,41.72,49.87,40.41\n"  # > Georgia's 3.7 million
        "Offshore,Baku,40,2019-05-02,51.0,42.0,49.87,40.41\n"  # in the Caspian
        "Yerevan,Tbilisi,500,2190-05-03,44.51,40.18,44.79,41.72\n"  # the future
        "Yerevan,Yerevan,70,2019-05-04,44.51,40.18,44.51,40.18\n"  # same place
        "Gyumri,Tbilisi,20,2019-05-05,43.85,40.79,44.79,41.72\n"  # fine
    )
    path = _write(tmp_path, "caucasus.csv", table)
    layer = None

    def build():
        nonlocal layer
        layer = layers.build("flows", data=path, columns=COORDINATES, units="migrants")

    found = _warnings_of(build)
    assert len(found) == 4, found
    population, dates, sea, same = found
    assert population.startswith(f"{path}, line 2, field 'n': count 30,000,000 is more than "
                                 "the population of Georgia (3,720,382 in 2019")  # fmt: skip
    assert dates.startswith(f"{path}, line 4, field 'when': date 2190-05-03 is in the future")
    assert sea.startswith(f"{path}, line 3, field 'x0/y0': point (lon 51, lat 42) is in the sea")
    assert same.startswith(f"{path}, line 5, field 'from/to': origin and destination are the "
                           "same place, 'Yerevan'")  # fmt: skip
    # the flow from a place to itself has no line: left out, the others drawn
    assert list(layer.frame["origin"]) == ["Tbilisi", "Offshore", "Yerevan", "Gyumri"]


def test_counts_that_are_not_people_are_not_compared_with_populations(tmp_path):
    path = _write(tmp_path, "freight.csv", "origin,destination,count\nAlmaty,Tashkent,9e9\n")
    assert _warnings_of(lambda: layers.build("flows", data=path, units="kg of cotton")) == []
    assert _warnings_of(lambda: layers.build("flows", data=path, units="traders")) != []


def test_every_row_on_one_end_is_an_error_not_a_warning(tmp_path):
    path = _write(tmp_path, "loops.csv", "origin,destination,count\nAlmaty,Almaty,5\n")
    with pytest.raises(geo.DataError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layers.build("flows", data=path)
    assert "same place" in str(err.value) and err.value.row == 2


def test_points_in_the_sea_and_sizes_above_a_population(tmp_path):
    table = (
        "town,lat,lon,people\n"
        "Aktau,43.65,51.17,180000\n"  # on the Caspian shore: land (within the tolerance)
        "Nowhere,43.0,50.0,10\n"  # in the Caspian
        "Bukhara,39.77,64.42,99000000\n"  # more than Uzbekistan
        "Null Island,0,0,1\n"  # Gulf of Guinea, outside the detailed window
    )
    path = _write(tmp_path, "towns.csv", table)
    found = _warnings_of(
        lambda: layers.build("points", data=path, size="people", units="people", label="town")
    )
    assert len(found) == 2, found
    sea, population = found
    assert sea.startswith(f"{path}, field 'lon/lat': 2 points in the sea: line 3: point "
                          "(lon 50, lat 43) is in the sea")  # fmt: skip
    assert "line 5: point (lon 0, lat 0) is in the sea" in sea
    assert population.startswith(f"{path}, line 4, field 'people': count 99,000,000 is more "
                                 "than the population of Uzbekistan")  # fmt: skip


def test_places_looked_up_in_the_gazetteer_are_not_checked_for_the_sea(tmp_path):
    path = _write(tmp_path, "named.csv", "town,n\nKhujand,3\nSamarkand,4\n")
    assert _warnings_of(lambda: layers.build("points", data=path, place="town")) == []


def test_dates_before_1800_and_outside_a_declared_period():
    rows = Rows("events.csv", 2, "line")
    dates = pd.Series(["1010-06-11", "2010-06-12", "2012-01-01", "2010-06", "c.2011", None])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = plausibility.warn_dates_outside(
            dates, rows, "day", period=("2010-01-01", "2011-12-31"), today=dt.date(2020, 1, 1)
        )
    assert [(f.position, f.text) for f in found] == [
        (0, "date 1010-06-11 is before 1800"),
        (2, "date 2012-01-01 is outside the data's period 2010-01-01 to 2011-12-31"),
    ]
    assert len(caught) == 1 and "events.csv, field 'day': 2 dates" in str(caught[0].message)


def test_a_story_table_copy_with_a_date_outside_the_presets_period_warns(tmp_path):
    table = geo.load("violence_2010").astype(object)
    osh = table["place"].astype(str).str.startswith("Osh")
    table.loc[osh.idxmax(), "date"] = "2016-06-10"  # a typo for 2010: valid, but not 2010-11
    path = tmp_path / "violence.csv"
    table.to_csv(path, index=False)
    found = _warnings_of(lambda: layers.build("violence", data=str(path)))
    assert any(
        message.startswith(f"{path}, line ")
        and "field 'date': date 2016-06-10 is outside the data's period 2010-01-01 to 2011-12-31"
        in message
        for message in found
    ), found


def test_many_findings_list_twenty_then_say_how_many_more():
    rows = Rows("big.csv", 2, "line")
    points = [shapely.Point(51.0, 42.0)] * 25  # all in the Caspian
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plausibility.warn_points_in_sea(points, rows, "lon/lat")
    message = str(caught[0].message)
    assert "25 points in the sea" in message and "line 21:" in message
    assert "line 22:" not in message and "and 5 more" in message


@pytest.mark.parametrize("layer_id", list(PRESETS))
def test_the_story_layers_are_silent_on_our_own_data(layer_id):
    assert _warnings_of(lambda: layers.build(layer_id)) == []


def test_every_bad_count_is_reported_at_once_grouped_by_problem(tmp_path):
    table = "from,to,n\nDushanbe,Tashkent,many\nDushanbe,Tashkent,-5\nDushanbe,Tashkent,\n"
    path = _write(tmp_path, "bad.csv", table)
    with pytest.raises(geo.DataError) as err:
        layers.build("flows", data=path, columns={"origin": "from", "destination": "to",
                                                  "count": "n"})  # fmt: skip
    problems = {(p.row, p.field, p.problem) for p in err.value.problems}
    assert problems == {(2, "n", "not a number"), (3, "n", "below 0"), (4, "n", "no value")}
    message = str(err.value)
    assert "not a number: line 2 ('many')" in message and "below 0: line 3 (-5)" in message
    assert "no value: line 4" in message
