"""Refreshing data from upstream, against real HTTP servers on 127.0.0.1 (never the internet).

The upstream files are built here from the embedded data, shaped like the real sources:
a Natural Earth zip (shapefile with NE's upper-case columns and a VERSION.txt), a
geoBoundaries API document pointing at a GeoJSON, and a UNHCR population API answer.
"""

import contextlib
import hashlib
import io
import json
import socket
import threading
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import geo
from geo.refresh import RefreshWarning, refresh, upstreams
from scripts import cli
from scripts.refresh_cli import ProgressLine

FIXTURES = Path(__file__).parent / "fixtures" / "refresh"
FAST = {"timeout": (2, 2), "retries": 2, "backoff": 0.01}
NE_LAYER = "ne_10m_admin_0_countries_deu"
REFRESHED_NAME = "Kyrgyz Republic (refreshed)"
ETAG = '"ne-5.1.1"'
LAST_MODIFIED = "Thu, 12 May 2022 10:00:00 GMT"


# ---- servers and fixtures ---------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def httpserver(server):
    """pytest-httpserver's server, bound to 127.0.0.1 (not "localhost")."""
    server.clear()
    yield server
    server.clear()


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FERGANA_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def ne_countries_zip(tmp_dir: Path, drop: tuple[str, ...] = ()) -> bytes:
    """The embedded countries as a Natural Earth style zipped shapefile."""
    frame = gpd.read_file(geo.dataset("countries").embedded_path)
    frame = frame.drop(columns=["ne_version", "ne_layer", "clipped"])
    frame.loc[frame["adm0_a3"] == "KGZ", "name"] = REFRESHED_NAME
    frame = frame.rename(columns={c: c.upper() for c in frame.columns if c != "geometry"})
    frame = frame.drop(columns=list(drop))
    frame.to_file(tmp_dir / f"{NE_LAYER}.shp", engine="pyogrio", encoding="UTF-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tmp_dir.iterdir()):
            archive.write(path, path.name)
        archive.writestr(f"{NE_LAYER}.VERSION.txt", "5.1.1\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def ne_zip(tmp_path_factory):
    return ne_countries_zip(tmp_path_factory.mktemp("ne"))


@pytest.fixture(scope="module")
def ne_zip_without_adm0(tmp_path_factory):
    return ne_countries_zip(tmp_path_factory.mktemp("ne_bad"), drop=("ADM0_A3",))


def snapshot(cache: Path, name: str = "countries") -> dict[str, bytes]:
    folder = cache / name
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def prime(httpserver, ne_zip) -> None:
    """Put a good refreshed copy of countries in the cache."""
    httpserver.expect_request("/prime.zip").respond_with_data(ne_zip)
    assert refresh("countries", httpserver.url_for("/prime.zip"), **FAST).status == "updated"
    httpserver.clear()


def refresh_fails(name, url, **kwargs):
    with pytest.warns(RefreshWarning) as caught:
        result = refresh(name, url, **{**FAST, **kwargs})
    assert result.status == "failed"
    assert str(caught[0].message) == result.message
    assert "Still using the " in result.message
    return result


# ---- declarations -----------------------------------------------------------------


def test_upstreams_cover_the_issue_sources():
    declared = upstreams()
    for name in ("countries", "boundary_lines", "rivers", "lakes", "places"):
        assert declared[name].url.startswith("https://naciscdn.org/naturalearth/10m/")
        assert declared[name].format == "zip-shapefile"
    assert declared["admin1"].parts == ("KGZ", "UZB", "TJK")
    assert declared["admin1"].follow == "gjDownloadURL"
    assert declared["displacement_2010"].url.startswith("https://api.unhcr.org/population/v1/")
    assert all(u.url.startswith("https://") for u in declared.values())


# ---- success paths ----------------------------------------------------------------


def test_success_replaces_the_copy_in_use(httpserver, ne_zip, cache):
    httpserver.expect_request("/ne.zip").respond_with_data(
        ne_zip, content_type="application/zip", headers={"ETag": ETAG}
    )
    seen = []
    result = refresh(
        "countries", httpserver.url_for("/ne.zip"), progress=lambda *a: seen.append(a), **FAST
    )
    assert result.status == "updated", result.message
    assert result.message.startswith("countries: updated from http://127.0.0.1:")
    assert result.copy.origin == "cache"
    assert geo.copy_in_use("countries") == result.copy
    countries = geo.load("countries")
    assert countries.loc[countries["adm0_a3"] == "KGZ", "name"].item() == REFRESHED_NAME
    assert len(countries) == 23
    assert set(countries["ne_version"]) == {"5.1.1"}
    assert set(countries["ne_layer"]) == {NE_LAYER}
    embedded = gpd.read_file(geo.dataset("countries").embedded_path)
    assert countries.geometry.geom_equals(embedded.geometry).all()
    meta = result.copy.meta
    assert meta["url"] == httpserver.url_for("/ne.zip")
    assert meta["etag"] == ETAG
    assert meta["sha256"] == hashlib.sha256(ne_zip).hexdigest()
    assert sorted(p.name for p in (cache / "countries").iterdir()) == sorted(
        ["meta.json", meta["file"]]
    )
    assert seen[-1] == (len(ne_zip), len(ne_zip))
    assert "refreshed copy" in result.copy.describe()


def test_304_keeps_the_cache(httpserver, ne_zip, cache):
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == ETAG:
            return Response(status=304)
        return Response(ne_zip, headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED})

    httpserver.expect_request("/ne.zip").respond_with_handler(handler)
    url = httpserver.url_for("/ne.zip")
    assert refresh("countries", url, **FAST).status == "updated"
    before = snapshot(cache)
    result = refresh("countries", url, **FAST)
    assert result.status == "not-modified"
    assert "HTTP 304" in result.message
    second = httpserver.log[1][0]
    assert second.headers["If-None-Match"] == ETAG
    assert second.headers["If-Modified-Since"] == LAST_MODIFIED
    assert snapshot(cache) == before


def test_same_bytes_without_etag_are_not_modified(httpserver, ne_zip, cache):
    prime(httpserver, ne_zip)
    before = snapshot(cache)
    httpserver.expect_request("/prime.zip").respond_with_data(ne_zip)
    result = refresh("countries", httpserver.url_for("/prime.zip"), **FAST)
    assert result.status == "not-modified"
    assert "same sha256" in result.message
    assert snapshot(cache) == before


def test_500_then_200_is_retried(httpserver, ne_zip):
    httpserver.expect_oneshot_request("/ne.zip").respond_with_data("busy", status=500)
    httpserver.expect_request("/ne.zip").respond_with_data(ne_zip)
    result = refresh("countries", httpserver.url_for("/ne.zip"), **FAST)
    assert result.status == "updated", result.message
    assert [r.path for r, _ in httpserver.log] == ["/ne.zip", "/ne.zip"]


def test_local_copy_via_url(tmp_path, ne_zip):
    path = tmp_path / "ne_10m_admin_0_countries_deu.zip"
    path.write_bytes(ne_zip)
    assert refresh("countries", path.as_uri(), **FAST).status == "updated"
    assert refresh("countries", str(path), **FAST).status == "updated"  # another URL
    assert refresh("countries", str(path), **FAST).status == "not-modified"


NE_PLACES_COLUMNS = {
    "name": "NAME",
    "country_a3": "ADM0_A3",
    "country_iso2": "ISO_A2",
    "adm1_name": "ADM1NAME",
    "pop_ne_max": "POP_MAX",
    "ne_rank_max": "RANK_MAX",
    "ne_scalerank": "SCALERANK",
    "ne_labelrank": "LABELRANK",
    "capital": "ADM0CAP",
    "featurecla": "FEATURECLA",
    "ne_id": "NE_ID",
}


def ne_shaped(name: str) -> gpd.GeoDataFrame:
    """The embedded copy of `name` with Natural Earth's column names (upper case)."""
    frame = gpd.read_file(geo.dataset(name).embedded_path)
    if name == "places":
        frame = frame[frame["source"] != "geonames"]
        return frame[[*NE_PLACES_COLUMNS, "geometry"]].rename(columns=NE_PLACES_COLUMNS)
    frame = frame.drop(columns=["clipped", "ne_version", "ne_layer"], errors="ignore")
    return frame.rename(columns={c: c.upper() for c in frame.columns if c != "geometry"})


@pytest.mark.parametrize("name", ["world_countries", "boundary_lines", "rivers", "lakes", "places"])
def test_natural_earth_layers_end_to_end(name, httpserver, tmp_path):
    member = upstreams()[name].member
    ne_shaped(name).to_file(tmp_path / member, engine="pyogrio", encoding="UTF-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tmp_path.glob(Path(member).stem + ".*")):
            archive.write(path, path.name)
    httpserver.expect_request(f"/{name}.zip").respond_with_data(buffer.getvalue())
    result = refresh(name, httpserver.url_for(f"/{name}.zip"), **FAST)
    assert result.status == "updated", result.message
    refreshed = geo.load(name)
    embedded = gpd.read_file(geo.dataset(name).embedded_path)
    assert list(refreshed.columns) == list(embedded.columns)
    assert len(refreshed) == len(embedded)
    if name == "places":
        assert refreshed["source"].value_counts().to_dict() == {
            "geonames": 1567,
            "naturalearth": 585,
        }


def gb_geojson(iso3: str, shift: float = 0.0) -> str:
    """Embedded admin1 units of one country, with geoBoundaries' property names."""
    units = gpd.read_file(geo.dataset("admin1").embedded_path)
    units = units[units["adm0_a3"] == iso3].reset_index(drop=True)
    frame = gpd.GeoDataFrame(
        {
            "shapeName": units["name_en"],
            "shapeISO": units["iso_3166_2"],
            "shapeID": [f"{iso3}-ADM1-{i}" for i in range(len(units))],
            "shapeGroup": iso3,
            "shapeType": "ADM1",
        },
        geometry=units.geometry.translate(xoff=shift),
        crs="EPSG:4326",
    )
    return frame.to_json()


def serve_geoboundaries(httpserver, shift: dict[str, float] | None = None) -> str:
    template = json.loads((FIXTURES / "geoboundaries_api_ADM1.json").read_text())
    names = {"KGZ": "Kyrgyzstan", "UZB": "Uzbekistan", "TJK": "Tajikistan"}
    for iso3, name in names.items():
        data_path = f"/gbdata/geoBoundaries-{iso3}-ADM1.geojson"
        api = {**template, "boundaryISO": iso3, "boundaryName": name}
        api["boundaryID"] = f"{iso3}-ADM1-00000000"
        api["gjDownloadURL"] = httpserver.url_for(data_path)
        httpserver.expect_request(f"/gb/{iso3}/ADM1/").respond_with_json(api)
        geojson = gb_geojson(iso3, (shift or {}).get(iso3, 0.0))
        httpserver.expect_request(data_path).respond_with_data(geojson)
    return httpserver.url_for("/gb/{part}/ADM1/")


def test_geoboundaries_adm1_end_to_end(httpserver):
    result = refresh("admin1", serve_geoboundaries(httpserver), **FAST)
    assert result.status == "updated", result.message
    assert result.copy.meta["url"].endswith("/gb/{KGZ,UZB,TJK}/ADM1/")
    assert len(httpserver.log) == 6  # three API documents, three GeoJSON files
    admin1 = geo.load("admin1")
    embedded = gpd.read_file(geo.dataset("admin1").embedded_path)
    assert list(admin1.columns) == list(embedded.columns)
    assert sorted(admin1["iso_3166_2"]) == sorted(embedded["iso_3166_2"])
    refreshed = admin1[admin1["adm0_a3"].isin(["KGZ", "UZB", "TJK"])]
    assert len(refreshed) == 27
    assert refreshed["method"].str.startswith("geoBoundaries gbOpen ADM1").all()
    assert set(refreshed["admin"]) == {"Kyrgyzstan", "Uzbekistan", "Tajikistan"}
    osh = refreshed[refreshed["iso_3166_2"] == "KG-O"].iloc[0]
    assert 25_000 < osh["area_km2"] < 33_000
    kaz = admin1[admin1["adm0_a3"] == "KAZ"]
    assert len(kaz) == 16 and not kaz["method"].str.startswith("geoBoundaries").any()


def test_geoboundaries_implausible_part_replaces_nothing(httpserver, cache):
    result = refresh_fails("admin1", serve_geoboundaries(httpserver, {"TJK": 120.0}))
    assert "outside the plausible lon 44 to 90" in result.message
    assert snapshot(cache, "admin1") == {}
    assert geo.copy_in_use("admin1").origin == "embedded"


def test_several_parts_need_a_part_placeholder(httpserver):
    result = refresh_fails("admin1", httpserver.url_for("/gb/KGZ/ADM1/"))
    assert "give a URL containing {part}" in result.message
    assert len(httpserver.log) == 0


def test_unhcr_population_end_to_end(httpserver):
    document = json.loads((FIXTURES / "unhcr_population_2010_KGZ_UZB.json").read_text())
    httpserver.expect_request("/population/v1/population/").respond_with_json(document)
    url = httpserver.url_for("/population/v1/population/") + "?year=2010&coo=KGZ&coa=UZB"
    embedded = geo.load("displacement_2010")
    result = refresh("displacement_2010", url, **FAST)
    assert result.status == "updated", result.message
    table = geo.load("displacement_2010")
    assert list(table.columns) == list(embedded.columns)
    assert table["metric"].iloc[: len(embedded)].tolist() == embedded["metric"].tolist()
    new = table.iloc[len(embedded) :].set_index("metric")
    assert new["value"].to_dict() == {
        "unhcr_refugees_kgz_uzb": 1234.0,
        "unhcr_returned_refugees_kgz_uzb": 5678.0,
    }
    assert set(new["source_url"]) == {url}
    assert set(new["as_of_date"]) == {"2010-12-31"}


# ---- failures: the previous copy stays in use -------------------------------------


def corrupt(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]


def chunks(data: bytes):
    for start in range(0, len(data), 4096):
        yield data[start : start + 4096]


FAILURES = {
    # id: (how the server answers /ne.zip, refresh keywords, expected in the message)
    "404": (
        lambda s, z: s.expect_request("/ne.zip").respond_with_data("gone", status=404),
        {},
        "HTTP 404 NOT FOUND from http://127.0.0.1",
    ),
    "503-always": (
        lambda s, z: s.expect_request("/ne.zip").respond_with_data("down", status=503),
        {},
        "HTTP 503 SERVICE UNAVAILABLE from http://127.0.0.1",
    ),
    "html-with-200": (
        lambda s, z: s.expect_request("/ne.zip").respond_with_data(
            "<!DOCTYPE html><html><body>Please log in</body></html>", content_type="text/html"
        ),
        {},
        "is an HTML page (HTTP 200), not data",
    ),
    "corrupt-zip": (
        lambda s, z: s.expect_request("/ne.zip").respond_with_data(corrupt(z)),
        {},
        "is a corrupt zip file",
    ),
    "not-a-zip": (
        lambda s, z: s.expect_request("/ne.zip").respond_with_data(b"\x00" * 2048),
        {},
        "is not a zip file",
    ),
    "oversize-announced": (
        lambda s, z: s.expect_request("/ne.zip").respond_with_data(z),
        {"max_bytes": 10_000},
        "more than the 10.0 kB limit (max_bytes)",
    ),
    "oversize-streamed": (
        lambda s, z: s.expect_request("/ne.zip").respond_with_response(Response(chunks(z))),
        {"max_bytes": 10_000},
        "sent more than the 10.0 kB limit (max_bytes); download stopped",
    ),
    "checksum": (
        lambda s, z: s.expect_request("/ne.zip").respond_with_data(z),
        {"sha256": "0" * 64},
        "not the published 0000",
    ),
}


@pytest.mark.parametrize("primed", [False, True], ids=["no-cache", "cached"])
@pytest.mark.parametrize("case", list(FAILURES))
def test_failure_leaves_the_previous_copy(case, primed, httpserver, ne_zip, cache):
    serve, kwargs, expected = FAILURES[case]
    if primed:
        prime(httpserver, ne_zip)
    before, origin = snapshot(cache), geo.copy_in_use("countries").origin
    serve(httpserver, ne_zip)
    result = refresh_fails("countries", httpserver.url_for("/ne.zip"), **kwargs)
    assert expected in result.message
    assert snapshot(cache) == before
    assert geo.copy_in_use("countries").origin == origin == ("cache" if primed else "embedded")
    assert result.copy.origin == origin
    if case == "404":
        assert len(httpserver.log) == 1  # a 4xx is not retried
        assert "(not retried)" in result.message
    if case == "503-always":
        assert len(httpserver.log) == 3  # the first attempt and two retries
        assert "gave up after 3 attempts" in result.message


def test_missing_fields_are_rejected(httpserver, ne_zip_without_adm0, cache):
    httpserver.expect_request("/ne.zip").respond_with_data(ne_zip_without_adm0)
    result = refresh_fails("countries", httpserver.url_for("/ne.zip"))
    assert "lacks the expected fields ['adm0_a3']" in result.message
    assert snapshot(cache) == {}


class RawServer:
    """A TCP server on 127.0.0.1 that sends `reply` to every request, then hangs up or holds on.

    With ``hold=True`` each connection stays open, silent, until :meth:`close`: a
    server that never answers (``reply=b""``) or stops mid-body. Nothing here waits
    for a time: connections are counted exactly by :meth:`connections`, and
    :attr:`received` is released once per request read.
    """

    def __init__(self, reply: bytes = b"", *, hold: bool = True) -> None:
        self.reply, self.hold = reply, hold
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()
        self.url = f"http://127.0.0.1:{self.address[1]}/ne.zip"
        self.received = threading.Semaphore(0)
        self._release = threading.Event()
        self._accepted: list[tuple[str, int]] = []  # peer addresses, in accept order
        self._changed = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._probes: set[tuple[str, int]] = set()
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def _accept(self) -> None:
        while True:
            conn, peer = self.listener.accept()
            with self._changed:
                self._accepted.append(peer)
                self._changed.notify_all()
            if self._release.is_set():  # the wake-up call of close()
                conn.close()
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            if not conn.recv(65536):
                return  # a probe of connections(): no request
            self.received.release()
            conn.sendall(self.reply)
            if self.hold:
                self._release.wait()

    def connections(self) -> int:
        """How many connections clients made so far, exactly.

        Connects once more (a probe, not counted) and waits until that connection
        is accepted: the kernel hands connections over in the order they were made,
        so every earlier one has been accepted by then.
        """
        with socket.create_connection(self.address) as probe:
            me = probe.getsockname()
            self._probes.add(me)
            with self._changed:
                assert self._changed.wait_for(lambda: me in self._accepted, timeout=30)
                earlier = self._accepted[: self._accepted.index(me)]
        return sum(peer not in self._probes for peer in earlier)

    def close(self) -> None:
        self._release.set()
        socket.create_connection(self.address).close()  # wakes the accept loop to end it
        self._accepter.join(30)
        for thread in self._threads:
            thread.join(30)
        self.listener.close()


@contextlib.contextmanager
def raw_server(reply: bytes, *, hold: bool):
    server = RawServer(reply, hold=hold)
    try:
        yield server
    finally:
        server.close()


HEAD_100K = b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: 100000\r\n\r\n"


def test_read_timeout_is_not_retried(httpserver, ne_zip, cache):
    prime(httpserver, ne_zip)
    before = snapshot(cache)
    with raw_server(b"", hold=True) as silent:  # accepts, reads the request, never answers
        result = refresh_fails("countries", silent.url, timeout=(2, 0.25))
        assert silent.connections() == 1  # a read timeout is not retried
    assert f"no answer from {silent.url} within 0.25s (read timeout; not retried)" in (
        result.message
    )
    assert snapshot(cache) == before


def test_truncated_body(httpserver, ne_zip, cache):
    prime(httpserver, ne_zip)
    before = snapshot(cache)
    # Content-Length says 100,000 bytes; 1,000 come, then the server hangs up
    with raw_server(HEAD_100K + ne_zip[:1000], hold=False) as truncating:
        result = refresh_fails("countries", truncating.url)
        assert truncating.connections() == 3  # a broken connection is retried
    assert "truncated" in result.message
    assert "gave up after 3 attempts" in result.message
    assert snapshot(cache) == before


def test_body_stalls_mid_download(ne_zip, cache):
    # Content-Length says 100,000 bytes; 1,000 come, then nothing while the connection stays
    with raw_server(HEAD_100K + ne_zip[:1000], hold=True) as stalling:
        result = refresh_fails("countries", stalling.url, timeout=(2, 0.25))
        assert stalling.connections() == 1
    assert "stopped sending data for 0.25s (read timeout; not retried)" in result.message
    assert snapshot(cache) == {}


def test_connection_refused_is_retried_then_reported(cache):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    result = refresh_fails("countries", f"http://127.0.0.1:{port}/ne.zip")
    assert "could not connect" in result.message
    assert "gave up after 3 attempts" in result.message
    assert snapshot(cache) == {}


def test_missing_local_file(tmp_path):
    result = refresh_fails("countries", str(tmp_path / "absent.zip"))
    assert "absent.zip: no such file" in result.message


def test_dataset_without_upstream():
    result = refresh_fails("relief", None)
    assert "no upstream is declared for 'relief'" in result.message


def test_half_written_cache_is_not_used(cache):
    folder = cache / "countries"
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(json.dumps({"file": "countries-missing.geojson"}))
    assert geo.copy_in_use("countries").origin == "embedded"


# ---- offline and the command line -------------------------------------------------


def test_offline_never_touches_the_network(httpserver, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("offline refresh made a request")

    monkeypatch.setattr(requests.Session, "request", no_network)
    result = refresh("countries", httpserver.url_for("/ne.zip"), offline=True)
    assert result.status == "offline"
    assert result.copy.origin == "embedded"
    assert cli.main(["data", "refresh", "--offline"]) == 0
    assert len(httpserver.log) == 0


def test_cli_refresh_and_info(httpserver, ne_zip, capsys):
    httpserver.expect_request("/ne.zip").respond_with_data(ne_zip, headers={"ETag": ETAG})
    url = httpserver.url_for("/ne.zip")
    assert cli.main(["data", "refresh", "countries", "--url", url]) == 0
    assert f"countries: updated from {url}" in capsys.readouterr().out
    assert cli.main(["data", "info", "countries"]) == 0
    info = capsys.readouterr().out
    assert "refreshed copy" in info and url in info
    assert ETAG in info
    assert hashlib.sha256(ne_zip).hexdigest() in info


def test_cli_failure_exit_codes(httpserver, capsys):
    httpserver.expect_request("/gone.zip").respond_with_data("", status=404)
    url = httpserver.url_for("/gone.zip")
    assert cli.main(["data", "refresh", "countries", "--url", url]) == 1
    err = capsys.readouterr().err
    assert "countries: refresh failed: HTTP 404" in err
    assert "Still using the embedded copy" in err
    assert cli.main(["data", "refresh", "countries", "rivers", "--url", url]) == 2
    assert cli.main(["data", "refresh", "no_such_dataset"]) == 2


def test_cli_help_lists_upstreams(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["data", "refresh", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--offline" in out and "--url" in out
    assert "https://www.geoboundaries.org/api/current/gbOpen/{KGZ,UZB,TJK}/ADM1/" in out


def test_progress_line_draws_only_on_a_tty():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        line = ProgressLine("countries", stream, interval=0)
        line(500_000, 1_000_000)
        line(1_000_000, 1_000_000)
        line.close()
    assert "countries: downloading 0.5 MB of 1.0 MB (50%)" in terminal.getvalue()
    assert "(100%)" in terminal.getvalue()
    assert pipe.getvalue() == ""
