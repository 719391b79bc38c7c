"""Caption figures against the facts as the facts README states them."""

import pytest

import maps
from layers.figures import FIGURES, figure
from layers.series import displacement_series, range_text, toll_series

# Expected texts come from geo/data/facts/README.md ("Key contradictions between
# sources"), written independently of the code: 335 (20 July, OCHA); 426 bodies
# (National Commission); ~470 (KIC); 78,675 by 28 June (24.kg); 75,000 registered
# (OCHA, 15 June) to >100,000 (Uzbek government via UNHCR, 22 June); 375,000 and
# 400,000 displaced; the northern route carries "a quarter" vs "approximately 20%";
# Manas opened Dec 2001 and closed 2014.
EXPECTED = {
    "official_toll_final": "335 by 20 July 2010",
    "later_death_counts": "426 (National Commission) and 470 (Kyrgyzstan Inquiry Commission)",
    "returned_by_end_of_june": "78,675 by 28 June 2010",
    # the Uzbek government's own counts, first and latest (not a range over other bodies)
    "refugees_in_uzbekistan": (
        "more than 75,000 by 13 June 2010 and more than 100,000 by 21 June 2010"
    ),
    "refugees_in_uzbekistan_adults": (
        "100,000 (adults only; OCHA spokeswoman Elisabeth Byrs, 17 June 2010)"
    ),
    # a peak and a later "remained" figure are not rival estimates: side by side, not a range
    "total_displaced": (
        "more than 400,000 at the peak (17 June 2010); 375,000 remained displaced on "
        "30 June 2010 (including refugees who had returned)"
    ),
    # "a quarter" of heroin (WDR 2010) and "approximately 20%" of drugs (year unknown) apart
    "northern_route_share": (
        "25% (UNODC, World Drug Report 2010, for c.2009); a separate estimate (UN estimate "
        "as reported by Interfax) puts 20% of all Afghan drugs on it (year not given)"
    ),
    "manas_names": (
        "Manas Air Base from December 2001, the Transit Center at Manas from 22 June 2009 "
        "until the US left in June 2014"
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_figure_matches_the_facts(name):
    assert figure(name).text == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_names_its_sources(name):
    assert figure(name).sources.strip()


def test_refugee_count_is_sourced_by_who_reported_it():
    sources = figure("refugees_in_uzbekistan").sources
    assert "Uzbek Emergencies Ministry" in sources and "Government of Uzbekistan" in sources


@pytest.mark.parametrize(
    "low,high,open_high,text",
    [
        (335, 335, False, "335"),
        (75_000, 100_000, False, "75,000–100,000"),
        (100_000, 100_000, True, "more than 100,000"),
        (75_000, 100_000, True, "75,000–100,000+"),
    ],
)
def test_range_text(low, high, open_high, text):
    assert range_text(low, high, open_high=open_high) == text


def test_lower_bounds_keep_their_more_than():
    series = displacement_series("refugees_in_uzbekistan").set_index("date")
    # UNHCR, 22 June: "tops 100,000" (as of 21 June) is a lower bound
    assert series.loc["2010-06-21", "text"] == "more than 100,000"
    # 15 June: SRSG Jenca "75,000 to 100,000" and RIA's 83,000 -> one range for the day
    assert series.loc["2010-06-15", "text"] == "75,000–100,000"


def test_toll_series_rises_to_the_last_official_figure():
    series = toll_series()
    assert list(series["date"]) == sorted(series["date"])
    assert series["high"].iloc[-1] == 294  # 29 June, Health Ministry via OCHA (facts README)
    assert series["low"].is_monotonic_increasing


def test_caption_placeholders_become_sourced_figures():
    spec = maps.spec_from_dict(
        {
            "id": "t",
            "title": "T",
            "extent": [72, 40, 73, 41],
            "layers": ["countries"],
            "caption": "Toll: {official_toll_final}.",
        }
    )
    composition = maps.compose(spec)
    assert composition.caption == "Toll: 335 by 20 July 2010."
    assert composition.caption_sources == ("official (Health Ministry)",)


@pytest.mark.parametrize("caption", ["{no_such_figure}", "{manas_names.upper}", "{manas_names!r}"])
def test_bad_caption_placeholders_name_the_caption(caption):
    spec = maps.spec_from_dict(
        {
            "id": "t",
            "title": "T",
            "extent": [72, 40, 73, 41],
            "layers": ["countries"],
            "caption": caption,
        },
        source="maps/specs/t.toml",
    )
    with pytest.raises(maps.SpecError) as err:
        maps.compose(spec)
    assert "maps/specs/t.toml" in str(err.value) and "'caption'" in str(err.value)
