(function () {
  "use strict";
  var FG = (window.FG = { map: null, layers: {}, groups: {}, timed: [], labels: [], arcs: [] });

  FG.pane = function (map, name, z) {
    var pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = String(z);
    return pane;
  };

  FG.control = function (map, position, className, html, label) {
    var Panel = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "fg-panel " + className);
        div.innerHTML = html;
        if (label) {
          div.setAttribute("role", "region");
          div.setAttribute("aria-label", label);
        }
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Panel({ position: position }).addTo(map);
  };

  function symbol(style, size) {
    var box = size + style.pad;
    return L.divIcon({
      className: "fg-sym",
      html: style.svg,
      iconSize: [box, box],
      iconAnchor: [box / 2, box / 2],
      tooltipAnchor: [0, -box / 2],
      popupAnchor: [0, -box / 2]
    });
  }

  // Geometry arrives delta-encoded (see maps.web.encode_coordinates); polygons as
  // references to shared arcs (~i: arc i backwards).
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", DIGIT = {};
  for (var k = 0; k < ALPHABET.length; k++) DIGIT[ALPHABET.charAt(k)] = k;

  function decodeLine(text, scale, at) {
    var out = [], i = 0;
    function next() {
      var result = 0, factor = 1, c;
      do {
        c = DIGIT[text.charAt(i++)];
        result += (c & 31) * factor;
        factor *= 32;
      } while (c & 32);
      return result % 2 ? -(result + 1) / 2 : result / 2;
    }
    while (i < text.length) {
      at.x += next();
      at.y += next();
      out.push([at.x / scale, at.y / scale]);
    }
    return out;
  }

  function ringOf(refs, arcs) {
    var out = [];
    refs.forEach(function (r, n) {
      var arc = r >= 0 ? arcs[r] : arcs[~r].slice().reverse();
      for (var j = n ? 1 : 0; j < arc.length; j++) out.push(arc[j]);
    });
    return out;
  }

  // The map's polygon arcs, shared by all its layers.
  FG.setArcs = function (table) {
    var at = { x: 0, y: 0 };
    FG.arcs = table.arcs.map(function (s) { return decodeLine(s, table.scale, at); });
  };

  FG.decode = function (g, scale, at, arcs) {
    if (!g) return g;
    var t = g.type, c;
    if (g.a !== undefined) {
      var polygon = function (p) { return p.map(function (r) { return ringOf(r, arcs); }); };
      c = t === "Polygon" ? polygon(g.a) : g.a.map(polygon);
    } else if (g.e !== undefined) {
      var line = function (s) { return decodeLine(s, scale, at); };
      if (t === "LineString" || t === "MultiPoint") c = line(g.e);
      else if (t === "MultiLineString" || t === "Polygon") c = g.e.map(line);
      else c = g.e.map(function (p) { return p.map(line); });
    } else {
      return g;
    }
    return { type: t, coordinates: c };
  };

  FG.layer = function (map, group, spec) {
    FG.map = map;
    var at = { x: 0, y: 0 };
    function addLabel(p) {
      var label = L.marker([p.a[1], p.a[0]], {
        icon: L.divIcon({ className: "fg-label " + spec.label + " fg-l-" + p.l,
                          html: "<span>" + p.n + "</span>", iconSize: [0, 0] }),
        pane: "fg-labels", interactive: false, keyboard: false
      });
      group.addLayer(label);
      FG.labels.push({ m: label, r: p.r });
      return label;
    }
    spec.data.features.forEach(function (f) {
      f.geometry = FG.decode(f.geometry, spec.scale, at, FG.arcs);
      // a label whose feature is too small to draw at any zoom still shows
      if (!f.geometry && f.properties.n) addLabel(f.properties);
    });
    FG.pane(map, spec.pane, spec.z);
    var styles = spec.styles, timed = [];
    var layer = L.geoJSON(spec.data, {
      pane: spec.pane,
      style: function (f) {
        var s = L.extend({}, styles[f.properties.s]);
        if (f.properties.w) s.weight = f.properties.w;
        return s;
      },
      pointToLayer: function (f, latlng) {
        var s = styles[f.properties.s], size = f.properties.z || s.size;
        if (s.svg) {
          return L.marker(latlng, { icon: symbol(s, size), pane: spec.pane, keyboard: false });
        }
        return L.circleMarker(latlng, L.extend({}, s, { radius: size / 2, pane: spec.pane }));
      },
      onEachFeature: function (f, feature) {
        var p = f.properties, label = null;
        if (p.t) feature.bindTooltip(p.t, { sticky: true, className: "fg-tip" });
        if (p.p) feature.bindPopup(p.p, { maxWidth: 340, className: "fg-pop" });
        if (p.n) label = addLabel(p);
        if (p.d) timed.push({ f: feature, lab: label, d: p.d, g: p.g });
      }
    });
    group.addLayer(layer);
    FG.layers[spec.pane] = layer;
    FG.groups[spec.pane] = group;
    if (timed.length) FG.timed.push({ layer: layer, group: group, items: timed });
    return layer;
  };

  FG.image = function (map, group, spec) {
    FG.pane(map, spec.pane, spec.z);
    L.imageOverlay(spec.url, spec.bounds, {
      pane: spec.pane, interactive: false, className: "fg-relief", alt: ""
    }).addTo(group);
  };

  var pending = false;
  FG.declutter = function () {
    var map = FG.map;
    if (!map) return;
    var items = FG.labels.filter(function (l) { return map.hasLayer(l.m) && l.m.getElement(); });
    items.sort(function (a, b) { return a.r - b.r; });
    items.forEach(function (l) { l.m.getElement().style.visibility = ""; });
    var rects = items.map(function (l) {
      return l.m.getElement().firstChild.getBoundingClientRect();
    });
    var kept = [];
    items.forEach(function (l, i) {
      var r = rects[i], hit = false;
      for (var k = 0; k < kept.length && !hit; k++) {
        var q = kept[k];
        hit = r.left < q.right + 3 && r.right + 3 > q.left && r.top < q.bottom && r.bottom > q.top;
      }
      if (hit) l.m.getElement().style.visibility = "hidden";
      else kept.push(r);
    });
  };
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; FG.declutter(); });
  }

  function fullscreen(map) {
    var Button = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "leaflet-bar fg-fullscreen");
        var a = L.DomUtil.create("a", "", div);
        a.href = "#";
        a.setAttribute("role", "button");
        a.title = "Full screen";
        a.setAttribute("aria-label", "Full screen");
        a.innerHTML = '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">' +
          '<path d="M1 5V1h4M9 1h4v4M13 9v4H9M5 13H1V9" fill="none" stroke="#333" ' +
          'stroke-width="2"/></svg>';
        L.DomEvent.on(a, "click", function (e) {
          L.DomEvent.preventDefault(e);
          L.DomEvent.stopPropagation(e);
          var box = map.getContainer();
          if (document.fullscreenElement) document.exitFullscreen();
          else if (box.requestFullscreen) box.requestFullscreen();
        });
        document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
        return div;
      }
    });
    new Button({ position: "topleft" }).addTo(map);
  }

  function merc(lat) {
    lat = Math.max(-85, Math.min(85, lat));
    return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360));
  }

  function locator(map, cfg) {
    var ctrl = FG.control(map, "bottomleft", "fg-locator", cfg.html, cfg.label);
    var rect = ctrl.getContainer().querySelector(".fg-view");
    function update() {
      var b = map.getBounds();
      var x0 = Math.max(0, (b.getWest() - cfg.west) * cfg.kx);
      var x1 = Math.min(cfg.width, (b.getEast() - cfg.west) * cfg.kx);
      var y0 = Math.max(0, (cfg.top - merc(b.getNorth())) * cfg.ky);
      var y1 = Math.min(cfg.height, (cfg.top - merc(b.getSouth())) * cfg.ky);
      rect.setAttribute("x", x0.toFixed(1));
      rect.setAttribute("y", y0.toFixed(1));
      rect.setAttribute("width", Math.max(1, x1 - x0).toFixed(1));
      rect.setAttribute("height", Math.max(1, y1 - y0).toFixed(1));
    }
    map.on("moveend zoomend resize", update);
    update();
  }

  // Reported totals (cfg.series: [{title, points: [{d, t, s}]}]) show the latest
  // report on or before the slider's day; text is set with textContent.
  function timeSlider(map, title, series) {
    if (!FG.timed.length) return;
    var dates = [];
    FG.timed.forEach(function (t) {
      t.items.forEach(function (i) { if (dates.indexOf(i.d) < 0) dates.push(i.d); });
    });
    series.forEach(function (s) {
      s.points.forEach(function (p) { if (dates.indexOf(p.d) < 0) dates.push(p.d); });
    });
    dates.sort();
    var last = dates.length - 1;
    var html = '<label for="fg-time-input">' + title + ', as of <output>' + dates[last] +
      '</output></label><input id="fg-time-input" type="range" min="0" max="' + last +
      '" step="1" value="' + last + '">';
    series.forEach(function () { html += '<p class="fg-series"></p>'; });
    var box = FG.control(map, "topright", "fg-time", html, "Date").getContainer();
    var input = box.querySelector("input"), out = box.querySelector("output");
    var lines = box.querySelectorAll(".fg-series");
    out.setAttribute("aria-live", "polite");
    function apply() {
      var day = dates[+input.value];
      out.textContent = day;
      series.forEach(function (s, n) {
        var shown = null;
        s.points.forEach(function (p) { if (p.d <= day) shown = p; });
        lines[n].textContent = s.title + ": " +
          (shown ? shown.t + " (" + shown.d + "; " + shown.s + ")" : "none reported yet");
      });
      FG.timed.forEach(function (t) {
        var latest = {};
        t.items.forEach(function (i) {
          if (i.d <= day && (!(i.g in latest) || latest[i.g].d <= i.d)) latest[i.g] = i;
        });
        t.items.forEach(function (i) {
          var on = latest[i.g] === i;
          if (on !== t.layer.hasLayer(i.f)) t.layer[on ? "addLayer" : "removeLayer"](i.f);
          if (i.lab && on !== t.group.hasLayer(i.lab)) {
            t.group[on ? "addLayer" : "removeLayer"](i.lab);
          }
        });
      });
      schedule();
    }
    input.addEventListener("input", apply);
    apply();
  }

  // Zooming out stops where the data (clipped around the extent) would no longer
  // fill the window, unless the whole extent needs it.
  function limitZoom(map, cfg) {
    var fit = map.getBoundsZoom(cfg.extent, false), filled = map.getBoundsZoom(cfg.grown, true);
    map.setMinZoom(Math.max(cfg.minZoom, Math.min(fit, filled)));
  }

  FG.finish = function (map, cfg) {
    FG.map = map;
    limitZoom(map, cfg);
    map.on("resize", function () { limitZoom(map, cfg); });
    FG.control(map, "topleft", "fg-title", cfg.title, "Title");
    L.control.zoom({ position: "topleft" }).addTo(map);
    fullscreen(map);
    FG.control(map, "bottomleft", "fg-caption", cfg.caption, "Caption and sources");
    L.control.scale({ position: "bottomleft", metric: true, imperial: false }).addTo(map);
    if (cfg.locator) locator(map, cfg.locator);
    timeSlider(map, cfg.time, cfg.series || []);
    document.querySelectorAll("[data-fg-bounds]").forEach(function (button) {
      button.addEventListener("click", function () {
        map.flyToBounds(JSON.parse(button.getAttribute("data-fg-bounds")));
      });
    });
    map.on("zoomend overlayadd overlayremove resize", schedule);
    schedule();
  };
})();
