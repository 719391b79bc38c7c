"""Series tables in specs (maps.spec_series) and the scene at one step (maps.scene.series)."""

from __future__ import annotations

import numpy as np
import pytest

import geo
import layers
from maps import compose, load_spec
from maps.scene import build_scene
from maps.scene.series import SeriesError, day_label, scene_at, shown_at, time_steps
from maps.spec import SPEC_DIR, SpecError, spec_from_dict
from maps.spec_series import Steps

BASE = {"id": "x", "title": "t", "extent": [41.0, 39.6, 46.6, 43.2], "layers": ["countries"]}

# A user's dated points in Armenia (FICTIONAL counts), with column names of their own.
QUAKES = """site,latitude,longitude,reported_on,felt_reports
Gyumri (fictional),40.79,43.84,1988-12-07,120
Spitak (fictional),40.83,44.27,1988-12-07,300
Vanadzor (fictional),40.81,44.49,1988-12-09,45
Yerevan (fictional),40.18,44.51,1988-12-12,
Dilijan (fictional),40.74,44.86,,10
"""


@pytest.fixture(scope="module")
def june():
    return build_scene(compose(load_spec(SPEC_DIR / "june-2010.toml")))


@pytest.fixture()
def quakes_scene(tmp_path):
    data = tmp_path / "quakes.csv"
    data.write_text(QUAKES, encoding="utf-8")
    spec = spec_from_dict(
        {
            **BASE,
            "layers": [
                "countries",
                {
                    "id": "points",
                    "data": str(data),
                    "label": "site",
                    "size": "felt_reports",
                    "time": "reported_on",
                },
            ],
        }
    )
    return build_scene(compose(spec))


@pytest.mark.parametrize(
    ("table", "field", "phrase"),
    [
        ({"multiples": {"every": "2 fortnights"}}, "multiples.every", "days or weeks"),
        ({"multiples": {"steps": ["2010-06-31"]}}, "multiples.steps", "not dates"),
        ({"multiples": {"steps": ["2010-06-13", "2010-06-11"]}}, "multiples.steps", "order"),
        ({"multiples": {"steps": ["2010-06-11"], "every": "1 day"}}, "multiples.every", "not both"),
        ({"multiples": {"colums": 3}}, "multiples.colums", "did you mean 'columns'"),
        ({"multiples": {"columns": 9}}, "multiples.columns", "1 to 6"),
        ({"multiples": {"state": "total"}}, "multiples.state", "cumulative"),
        ({"multiples": {"name": "web"}}, "multiples.name", "plain word"),
        ({"multiples": {"by": "phase"}}, "multiples.steps", "needs its steps"),
        ({"multiples": {"size": "a3"}}, "multiples.size", "unknown size"),
        ({"motion": {"seconds": 0}}, "motion.seconds", "0.1 to 60"),
        ({"motion": "fast"}, "motion", "must be a table"),
        ({"atlas": {}}, "atlas.layer", "neither"),
        ({"atlas": {"layer": "enclaves", "data": "x.csv"}}, "atlas.layer", "both"),
        ({"atlas": {"layer": "enclavs"}}, "atlas.layer", "did you mean enclaves"),
        ({"atlas": {"layer": "enclaves", "margin": -1}}, "atlas.margin", "0 to 5"),
    ],
)
def test_bad_series_tables_name_their_key(table, field, phrase):
    with pytest.raises(SpecError) as caught:
        spec_from_dict({**BASE, **table}, source="specs/x.toml")
    assert caught.value.field == field
    assert phrase in str(caught.value)
    assert "specs/x.toml" in str(caught.value)


def test_series_tables_are_read():
    spec = spec_from_dict(
        {
            **BASE,
            "multiples": {"every": "1 week", "columns": 2, "state": "step"},
            "motion": {"size": "slide", "seconds": 0.5},
            "atlas": {"layer": ["enclaves", "enclave_points"], "title": "{name}"},
        }
    )
    assert spec.multiples.steps == Steps(every=7, state="step")
    assert spec.multiples.columns == 2
    assert (spec.motion.size, spec.motion.seconds) == ("slide", 0.5)
    assert spec.atlas.layers == ("enclaves", "enclave_points")


def test_default_steps_are_every_reported_day(june):
    steps = time_steps(june, Steps())
    days = [s.key for s in steps]
    assert days == sorted(set(days))
    # the first attacks (10 June) and the last toll in the series (29 June)
    assert days[0] == "2010-06-10" and days[-1] == "2010-06-29"
    assert steps[0].label == "10 June 2010"


def test_totals_are_the_latest_report_on_or_before_each_step(june):
    steps = {s.key: s for s in time_steps(june, Steps(steps=("2010-06-11", "2010-06-19")))}
    early = {t.title: t for t in steps["2010-06-11"].totals}
    # before a series' first report, what the sources hold (not "none reported": the
    # violence layer has local tolls of 11 June; the official total starts on 12 June)
    assert {t.text for t in early.values()} == {
        "none in the sources before 13 June 2010",
        "none in the sources before 12 June 2010",
    }
    assert all(t.day == "" for t in early.values())
    later = steps["2010-06-19"].totals
    assert all(t.day and t.day <= "2010-06-19" for t in later)
    # the Uzbek count as of 17 June (the 20 June report is after the step)
    refugees = next(t for t in later if "efugee" in t.title)
    assert refugees.day == "2010-06-17" and refugees.text == "more than 75,000"


def test_every_n_days_ends_on_the_last_reported_day():
    from maps.scene.series import _every

    assert _every("2010-06-10", "2010-06-15", 2) == [
        "2010-06-10",
        "2010-06-12",
        "2010-06-14",
        "2010-06-15",
    ]


def test_cumulative_steps_grow_and_per_step_windows_do_not_overlap(june):
    flows = next(sl for sl in june.layers if sl.layer.id == "refugee_flows")
    cumulative = Steps()
    counts = [int(shown_at(flows, s, cumulative).sum()) for s in time_steps(june, cumulative)]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    per_step = Steps(every=3, state="step")
    steps = time_steps(june, per_step)
    days = flows.layer.frame[flows.layer.time].astype(str).str[:10]
    dated = (days != "").to_numpy()
    seen = np.zeros(len(days), dtype=int)
    for step in steps:
        seen += shown_at(flows, step, per_step) & dated
    assert (seen[dated] == 1).all(), "each dated flow shows in exactly one step's window"


def test_scene_at_hides_features_keeping_rows_and_drops_their_labels(june):
    steps = Steps()
    first = time_steps(june, steps)[0]
    at = scene_at(june, first, steps)
    for before, after in zip(june.layers, at.layers, strict=True):
        assert len(after.layer.frame) == len(before.layer.frame)  # arrays still line up
        assert after.sizes is before.sizes and after.styles == before.styles
        hidden = ~shown_at(before, first, steps)
        assert after.layer.frame.geometry.isna().to_numpy()[hidden].all()
        assert not after.in_view[hidden].any()
    hidden_labels = [
        label
        for label in june.labels
        if label.layer is not None
        and not shown_at(june.layers[label.layer], first, steps)[label.feature]
    ]
    assert hidden_labels, "the first day hides some labelled feature"
    assert not set(hidden_labels) & set(at.labels)
    assert at.legend == june.legend  # one legend for the whole series


def test_user_points_with_a_time_column_step_by_their_dates(quakes_scene):
    steps = time_steps(quakes_scene, Steps())
    assert [s.key for s in steps] == ["1988-12-07", "1988-12-09", "1988-12-12"]
    assert steps[1].label == "9 December 1988"
    points = quakes_scene.layers[1]
    shown = [shown_at(points, s, Steps()).tolist() for s in steps]
    # the undated Dilijan row is context: shown at every step
    assert shown == [
        [True, True, False, False, True],
        [True, True, True, False, True],
        [True, True, True, True, True],
    ]
    assert steps[0].totals == ()  # the user's layer reports no series


def test_user_time_column_with_bad_dates_lists_every_bad_row(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text(
        "site,latitude,longitude,reported_on\nA,40.1,44.1,1988-13-01\nB,40.2,44.2,yesterday\n",
        encoding="utf-8",
    )
    with pytest.raises(geo.DataError) as caught:
        layers.build("points", data=str(data), time="reported_on")
    text = str(caught.value)
    assert "bad.csv" in text and "line 2" in text and "line 3" in text
    assert "reported_on" in text


def test_a_map_without_dated_layers_has_no_steps(quakes_scene):
    from dataclasses import replace

    undated = replace(quakes_scene, layers=quakes_scene.layers[:1])
    with pytest.raises(SeriesError, match="no layer with a time column"):
        time_steps(undated, Steps())


def test_day_label_reads_as_a_date():
    assert day_label("2010-06-13") == "13 June 2010"
    assert day_label("1988-12-07") == "7 December 1988"


def test_series_scene_says_what_shows_every_day_and_credits_every_totals_source(june):
    from maps.scene.series import series_scene

    steps = Steps()
    series = time_steps(june, steps)
    paged = series_scene(june, steps, series)
    said = paged.caption[len(june.caption) :]
    # the camps have no date; two of the five refugee flows are dated only "June 2010"
    assert "Shown on every day, having no date of their own:" in said
    camps = next(sl.layer.title for sl in june.layers if sl.layer.id == "camps")
    flows = next(sl for sl in june.layers if sl.layer.id == "refugee_flows")
    assert camps in said
    assert "boundar" not in said.lower()  # borders are the map, not its news
    assert f"{flows.layer.title} (2 of {int(flows.in_view.sum())})" in said
    line = paged.credit_line()
    for step in series:
        for total in step.totals:
            for source in filter(None, (p.strip() for p in total.source.split(";"))):
                assert source in line, source
    assert "Totals by day as reported by:" in line


def test_step_values_no_step_names_are_warned_of(quakes_scene):
    import warnings
    from dataclasses import replace

    points = quakes_scene.layers[1]
    frame = points.layer.frame.copy()
    frame["phase"] = ["before", "during", "durng", "after", ""]
    layer = replace(points.layer, frame=frame)
    scene = replace(quakes_scene, layers=(quakes_scene.layers[0], replace(points, layer=layer)))
    steps = Steps(by="phase", steps=("before", "during", "after"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", geo.DataWarning)
        found = time_steps(scene, steps)
    assert [s.key for s in found] == ["before", "during", "after"]
    (said,) = [str(w.message) for w in caught if issubclass(w.category, geo.DataWarning)]
    assert "'durng'" in said and "show at every step" in said
