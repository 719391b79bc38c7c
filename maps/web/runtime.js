(function () {
  "use strict";
  var FG = (window.FG = { map: null, layers: {}, groups: {}, timed: [], labels: [], arcs: [] });/*$lang:
  // A page in another language than English (maps/web/words.py): the days the slider
  // shows as the language writes them (FG.finish's cfg.days), the scale's units.
  FG.days = {};
  FG.day = function (iso) { return FG.days[iso] || iso; };
  L.Control.Scale.include({
    _updateMetric: function (maxMeters) {
      var meters = this._getRoundNum(maxMeters);
      var label = meters < 1000 ? _("{n} m").replace("{n}", meters)
        : _("{n} km").replace("{n}", meters / 1000);
      this._updateScale(this._mScale, label, meters / maxMeters);
    }
  }); */

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
        a.title = _("Full screen");
        a.setAttribute("aria-label", _("Full screen"));
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
    var html = '<label for="fg-time-input">' + title + _(', as of <output>') + dates[last] +
      '</output></label><input id="fg-time-input" type="range" min="0" max="' + last +
      '" step="1" value="' + last + '">';
    series.forEach(function () { html += '<p class="fg-series"></p>'; });
    var box = FG.control(map, "topright", "fg-time", html, _("Date")).getContainer();
    var input = box.querySelector("input"), out = box.querySelector("output");
    var lines = box.querySelectorAll(".fg-series");
    out.setAttribute("aria-live", "polite");
    function apply() {
      var day = dates[+input.value];
      out.textContent = day;/*$lang: out.textContent = FG.day(day); out.setAttribute("data-fg-day", day); */
      series.forEach(function (s, n) {
        var shown = null;
        s.points.forEach(function (p) { if (p.d <= day) shown = p; });
        lines[n].textContent = s.title + ": " +
          (shown ? shown.t + " (" + shown.d + "; " + shown.s + ")" : _("none in the sources yet"));/*$lang:
        if (shown) lines[n].textContent = s.title + ": " + shown.t + " (" + FG.day(shown.d) + "; " + shown.s + ")"; */
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

  // --- layout by width ----------------------------------------------------------------
  // Wide screens: panels in the map's four corners, sized so that no two meet. Phones
  // (the stylesheet's breakpoint): a one-line title, the legend a sheet behind a button,
  // the time slider at the bottom, the caption and sources below the map.
  var PHONE = "(max-width: 600px)", GAP = 10, MARGIN = 10;

  FG.phone = function () { return window.matchMedia(PHONE).matches; };

  // The legend control: its button opens and closes its body (a sheet on phones).
  FG.legend = function (map, box) {
    var button = box.querySelector(".fg-legend-toggle");
    var body = box.querySelector(".fg-legend-body");
    function set(open) {
      button.setAttribute("aria-expanded", String(open));
      body.hidden = !open;
      box.classList.toggle("fg-open", open);
      map.getContainer().classList.toggle("fg-legend-open", open);
    }
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && FG.phone() && !body.hidden) {
        set(false);
        button.focus();
      }
    });
    FG.legendPanel = { box: box, set: set };
    set(!FG.phone());
  };

  function corner(box, name) { return box.querySelector(".leaflet-" + name.join(".leaflet-")); }

  // Moves the caption below the map (phones) or back into the map's bottom-left corner,
  // and the time slider to the bottom-left (phones) or the top-right corner.
  function place(map, phone) {
    var box = map.getContainer(), parts = FG.parts;
    var bottomLeft = corner(box, ["bottom", "left"]);
    if (phone && parts.caption.parentNode === bottomLeft) {
      box.parentNode.insertBefore(parts.caption, box.nextSibling);
    } else if (!phone && parts.caption.parentNode !== bottomLeft) {
      bottomLeft.appendChild(parts.caption);
    }
    parts.caption.classList.toggle("fg-below", phone);
    if (parts.time) {
      var home = phone ? bottomLeft : corner(box, ["top", "right"]);
      if (parts.time.parentNode !== home) home.appendChild(parts.time);
    }
  }

  function height(el) { return el ? el.offsetHeight : 0; }

  // Sizes the panels (as CSS variables the stylesheet uses as upper limits) so that the
  // corners' stacks do not meet; returns the room the panels take at the map's top and
  // bottom edges, which the opening view keeps the extent clear of where it can.
  FG.layout = function () {
    var map = FG.map, parts = FG.parts;
    if (!map || !parts) return null;
    var box = map.getContainer(), phone = FG.phone();
    if (phone !== FG.wasPhone) {
      place(map, phone);
      if (FG.legendPanel) FG.legendPanel.set(!phone);
      FG.wasPhone = phone;
    }
    var style = box.style, wide = box.clientWidth, tall = box.clientHeight;
    var tl = corner(box, ["top", "left"]), tr = corner(box, ["top", "right"]);
    var bl = corner(box, ["bottom", "left"]), br = corner(box, ["bottom", "right"]);
    ["--fg-title-room", "--fg-caption-room", "--fg-caption-tall", "--fg-legend-tall",
     "--fg-time-room"].forEach(function (name) { style.removeProperty(name); });
    box.classList.remove("fg-no-locator");
    function px(name, value) { style.setProperty(name, Math.max(0, Math.floor(value)) + "px"); }
    var edges = {};
    if (phone) {
      px("--fg-title-room", wide - tr.offsetWidth - MARGIN - GAP);
      px("--fg-time-room", wide - br.offsetWidth - MARGIN - GAP);
      px("--fg-legend-tall", tall * 0.6);
      edges.bottom = Math.max(height(bl), height(br));
      edges.stacks = Math.max(height(tl) + height(bl), height(tr) + height(br)) + GAP;
    } else {
      // the left column's panels fit beside the right column's
      var room = wide - Math.max(tr.offsetWidth, br.offsetWidth) - MARGIN - GAP;
      px("--fg-title-room", room);
      px("--fg-caption-room", room);
      // the legend fills the right column below the layer control and time slider
      px("--fg-legend-tall", Math.max(80, tall - height(tr) - GAP - MARGIN));
      // the caption scrolls when the left column has no room for it (first the locator goes)
      var captionRoom = function () {
        var others = height(bl) - parts.caption.offsetHeight - MARGIN;
        return tall - height(tl) - GAP - others - MARGIN;
      };
      if (parts.locator && captionRoom() < Math.min(parts.caption.offsetHeight, 160)) {
        box.classList.add("fg-no-locator");
      }
      px("--fg-caption-tall", Math.max(60, captionRoom()));
      edges.bottom = MARGIN;
    }
    edges.top = parts.title.getBoundingClientRect().bottom - box.getBoundingClientRect().top;
    return edges;
  };

  // The zoom at which `bounds` fit the map (less `padding` pixels), whatever the zoom limits.
  function zoomToFit(map, bounds, inside, padding) {
    var low = map.options.minZoom, high = map.options.maxZoom;
    map.options.minZoom = 0;
    map.options.maxZoom = 30;
    var zoom = map.getBoundsZoom(bounds, inside, padding);
    map.options.minZoom = low;
    map.options.maxZoom = high;
    return zoom;
  }

  // Where the extent's near edge goes along one axis: in the middle of the room the
  // panels leave, or as close to it as keeps the whole extent in view.
  function along(view, before, after, size) {
    return Math.min(Math.max(before + (view - before - after - size) / 2, 0), view - size);
  }

  // On phones the map is as tall as the data around the extent at the zoom that fits
  // the extent's width (no blank sea above and below), but tall enough for the extent
  // between the panels at its top and bottom and for the panels' stacks.
  function phoneHeight(map, cfg, edges) {
    var zero = function (latlng) { return map.project(latlng, 0); };
    var wide = zero(FG.extent.getNorthEast()).x - zero(FG.extent.getSouthWest()).x;
    var zoom = Math.floor(Math.log(map.getSize().x / wide) / Math.LN2 * 10) / 10;
    var scale = Math.pow(2, zoom), grown = L.latLngBounds(cfg.grown);
    var data = (zero(grown.getSouthWest()).y - zero(grown.getNorthEast()).y) * scale;
    var extent = (zero(FG.extent.getSouthWest()).y - zero(FG.extent.getNorthEast()).y) * scale;
    return Math.ceil(Math.max(data, extent + edges.top + edges.bottom + 8, edges.stacks));
  }

  // The view showing the whole extent, clear of the panels along the map's top and
  // bottom edges unless that would show blank sea beyond the data around the extent;
  // fitted again when the window changes size, until the reader moves the map.
  function fitView(map, cfg) {
    var fitting = false, moved = false;
    function fit() {
      if (fitting) return;
      fitting = true;
      var edges = FG.layout(), box = map.getContainer();
      if (FG.phone()) {
        box.style.setProperty("--fg-map-tall", phoneHeight(map, cfg, edges) + "px");
      } else {
        box.style.removeProperty("--fg-map-tall");
      }
      map.invalidateSize({ pan: false });
      edges = FG.layout();
      var size = map.getSize();
      var before = L.point(MARGIN, edges.top + 4), after = L.point(MARGIN, edges.bottom + 4);
      var padded = zoomToFit(map, FG.extent, false, before.add(after));
      var bare = zoomToFit(map, FG.extent, false, L.point(0, 0));
      var filled = zoomToFit(map, cfg.grown, true, L.point(0, 0));
      // zooming out stops where the data (clipped around the extent) would no longer
      // fill the window, unless the whole extent needs it (even below the spec's zoom)
      var lowest = Math.min(Math.max(cfg.minZoom, Math.min(padded, filled)), padded);
      if (!moved) {
        map.options.minZoom = lowest;  // (setMinZoom would start an animated zoom)
        var zoom = Math.min(Math.max(padded, Math.min(filled, bare)), map.getMaxZoom());
        var sw = map.project(FG.extent.getSouthWest(), zoom);
        var ne = map.project(FG.extent.getNorthEast(), zoom);
        var near = L.point(along(size.x, before.x, after.x, ne.x - sw.x),
                           along(size.y, before.y, after.y, sw.y - ne.y));
        var centre = L.point(sw.x, ne.y).subtract(near).add(size.divideBy(2));
        var half = size.divideBy(2);
        map.setMaxBounds(null);  // (else setting the view pans inside the old limits)
        map.setView(map.unproject(centre, zoom), zoom, { animate: false });
        // the reader may pan over the data around the extent, and over this first view
        map.setMaxBounds(L.latLngBounds(cfg.grown).extend(L.latLngBounds(
          map.unproject(centre.subtract(half), zoom), map.unproject(centre.add(half), zoom))));
        FG.fitted = true;
      }
      map.setMinZoom(lowest);
      fitting = false;
    }
    function start() {
      fit();
      map.on("dragstart zoomstart", function () { if (!fitting) moved = true; });
      map.getContainer().addEventListener("keydown", function (e) {
        if (e.target === map.getContainer()) moved = true;
      });
      map.on("resize", fit);
    }
    FG.layout();
    // The page's opening view may still be zooming (an animated fitBounds starts on the
    // next frame): fit once it has ended, or it would end on top of this view.
    var animating = false;
    function started() { animating = true; }
    map.on("zoomanim", started);
    L.Util.requestAnimFrame(function () {
      map.off("zoomanim", started);
      if (animating) map.once("zoomend", start);
      else start();
    });
  }

  FG.finish = function (map, cfg) {
    FG.map = map;
    FG.extent = L.latLngBounds(cfg.extent);/*$lang: FG.days = cfg.days || {}; */
    var title = FG.control(map, "topleft", "fg-title", cfg.title, _("Title"));
    L.control.zoom({ position: "topleft"/*$lang: , zoomInTitle: _("Zoom in"), zoomOutTitle: _("Zoom out") */ }).addTo(map);
    fullscreen(map);
    var caption = FG.control(map, "bottomleft", "fg-caption", cfg.caption, _("Caption and sources"));
    L.control.scale({ position: "bottomleft", metric: true, imperial: false }).addTo(map);
    if (cfg.locator) locator(map, cfg.locator);
    timeSlider(map, cfg.time, cfg.series || []);
    var box = map.getContainer();/*$lang:
    var toggle = box.querySelector(".leaflet-control-layers-toggle");
    if (toggle) toggle.title = _("Layers");
    map.on("popupopen", function (e) {
      var close = e.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", _("Close popup"));
    }); */
    FG.parts = {
      title: title.getContainer(),
      caption: caption.getContainer(),
      legend: box.querySelector(".fg-legend"),
      time: box.querySelector(".fg-time"),
      locator: box.querySelector(".fg-locator")
    };
    FG.wasPhone = false;
    fitView(map, cfg);
    document.querySelectorAll("[data-fg-bounds]").forEach(function (button) {
      button.addEventListener("click", function () {
        map.flyToBounds(JSON.parse(button.getAttribute("data-fg-bounds")));
      });
    });
    // moveend too: the opening fit may end with a view set without animation, after a
    // declutter that measured the labels mid-zoom (scaled by the zoom's CSS transform)
    map.on("zoomend moveend overlayadd overlayremove resize", schedule);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(schedule);
    schedule();
  };
})();
