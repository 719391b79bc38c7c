// access.js: keyboard and screen-reader access, built on runtime.js's window.FG once the
// map is drawn (it wraps FG.layer and FG.finish; runtime.js is unchanged).
//
// - Tab order: the map (arrow keys pan), its controls (title, zoom, full screen, layers,
//   time slider, caption, legend), then the map's features, layer by layer. A feature is
//   a Tab stop when it has a popup and its layer is no backdrop (payload "k": 0, see
//   maps/web/access.py); it is a named button: Enter or Space opens its popup, Escape
//   closes it and focus goes back to the feature.
// - The map is a labelled region; each layer's pane a group named for the layer.
// - After the map, an offscreen section holds one table per layer, with the popups' fields.
// - The time slider's aria-valuetext gives the date, the reported totals and how many
//   features are on the map.
(function () {
  "use strict";
  var FG = window.FG;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var RING = "3px solid #0b57d0";

  var style = document.createElement("style");
  style.textContent =
    ".leaflet-container .fg-stop { cursor: pointer; }\n" +
    ".leaflet-container .fg-stop:focus { outline: none; }\n" +
    ".leaflet-container .fg-stop:focus-visible { outline: " + RING + "; outline-offset: 2px; }\n" +
    ".leaflet-container path.fg-stop:focus-visible { stroke: #0b57d0; stroke-opacity: 1; " +
    "stroke-width: 4px; }\n" +
    ".leaflet-container:focus-visible, .leaflet-container .leaflet-control :focus-visible, " +
    ".leaflet-popup-content:focus-visible { outline: " + RING + "; outline-offset: 1px; }\n" +
    ".fg-data { position: absolute; width: 1px; height: 1px; overflow: hidden; " +
    "clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }\n";
  document.head.appendChild(style);

  // Text of escaped HTML (tooltips, popups are written escaped by maps.web.payload).
  function parsed(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }
  function textOf(html) { return parsed(html).textContent.trim(); }

  function longDate(iso) {/*$lang: return FG.day(iso); */
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? +m[3] + " " + MONTHS[+m[2] - 1] + " " + m[1] : String(iso);
  }

  // One record per layer with data: its pane, title, Leaflet layer, Tab stops and table rows.
  // Its features are made buttons as soon as the layer is drawn, the others left out of
  // the Tab order: the time slider may take some off the map before FG.finish.
  var records = [];
  var layer0 = FG.layer;
  FG.layer = function (map, group, spec) {
    var layer = layer0.apply(this, arguments);
    var subs = layer.getLayers(), keys = [], rows = [], title = "", previous = null;
    var backdrop = subs.some(function (sub) { return sub.feature.properties.k === 0; });
    subs.forEach(function (sub) {
      var p = sub.feature.properties;
      // a flow's arrowhead repeats its line's popup: one stop, one row for both
      var repeat = previous !== null && p.p === previous;
      previous = p.p || null;
      if (!p.p || repeat || backdrop) {
        outOfTabOrder(sub);
        return;
      }
      var popup = parsed(p.p);
      var caption = popup.querySelector("caption");
      if (caption && !title) title = caption.textContent.trim();
      rows.push(popup);
      keys.push({ sub: sub, popup: popup, name: textOf(p.t || "") });
    });
    if (keys.length) {
      nameUniquely(keys, title);
      keys.forEach(watch);
      var pane = map.getPane(spec.pane);
      pane.setAttribute("role", "group");
      pane.setAttribute("aria-label", title);
      records.push({ layer: layer, title: title, keys: keys, rows: rows });
    }
    return layer;
  };

  // A feature is named by its tooltip; where two in a layer share it (three flows from
  // Osh), the popup's further fields are added until the names differ.
  function nameUniquely(keys, title) {
    keys.forEach(function (k) {
      k.extra = [];
      k.popup.querySelectorAll("tr").forEach(function (tr, i) {
        var th = tr.querySelector("th"), td = tr.querySelector("td");
        if (i && th && td) k.extra.push(th.textContent.trim() + ": " + td.textContent.trim());
      });
      k.name = k.name || title;
    });
    for (var round = 0; round < 8; round++) {
      var seen = {};
      keys.forEach(function (k) { seen[k.name] = (seen[k.name] || 0) + 1; });
      var clashing = keys.filter(function (k) { return seen[k.name] > 1 && k.extra.length; });
      if (!clashing.length) return;
      clashing.forEach(function (k) { k.name += "; " + k.extra.shift(); });
    }
  }

  // --- features as named buttons --------------------------------------------------

  var opening = null;  // the feature whose popup a key is opening
  function decorate(key) {
    var el = key.sub.getElement && key.sub.getElement();
    if (!el || el.getAttribute("data-fg-stop")) return;
    el.setAttribute("data-fg-stop", "1");
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "button");
    el.setAttribute("aria-label", key.name);
    el.setAttribute("aria-haspopup", "dialog");
    el.classList.add("fg-stop");
    L.DomEvent.on(el, "focus", function () { bringIntoView(key.sub); });
    L.DomEvent.on(el, "keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();  // no keypress: Leaflet's own Enter handler would toggle it shut
      opening = key;
      key.sub.openPopup();
      opening = null;
    });
  }

  // Tab may reach a feature outside the view (zoomed in): pan until it is in sight.
  function bringIntoView(sub) {
    var map = FG.map;
    var at = sub.getLatLng ? sub.getLatLng() : sub.getCenter();
    if (!map.getBounds().pad(-0.1).contains(at)) map.panInside(at, { padding: [60, 60] });
  }

  function watch(key) {
    key.sub.on("add", function () { decorate(key); });
    key.sub.on("popupopen", function (e) {
      var box = e.popup.getElement(), content = box && box.querySelector(".leaflet-popup-content");
      if (!box) return;
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-label", key.name);
      if (opening === key && content) {
        content.setAttribute("tabindex", "-1");
        content.focus();
      }
    });
    key.sub.on("popupclose", function (e) {
      // if focus was in the popup (still fading out) or went with it, give it back
      var active = document.activeElement, box = e.popup.getElement();
      var el = key.sub.getElement && key.sub.getElement();
      var lost = !active || active === document.body || (box && box.contains(active));
      if (lost && el && el.isConnected) el.focus();
    });
    decorate(key);
  }

  // Leaflet's focus listeners (tooltips) make Chromium's SVG paths Tab stops: not these.
  function outOfTabOrder(sub) {
    function off() {
      var el = sub.getElement && sub.getElement();
      if (el) el.setAttribute("tabindex", "-1");
    }
    sub.on("add", off);
    off();
  }

  // --- per-layer data tables --------------------------------------------------------

  function cell(tag, text, scope) {
    var c = document.createElement(tag);
    c.textContent = text;
    if (scope) c.setAttribute("scope", scope);
    return c;
  }

  function dataTable(record) {
    var table = document.createElement("table"), head = document.createElement("tr");
    var body = document.createElement("tbody"), thead = document.createElement("thead");
    table.appendChild(cell("caption", record.title));
    record.rows[0].querySelectorAll("th").forEach(function (th) {
      head.appendChild(cell("th", th.textContent, "col"));
    });
    thead.appendChild(head);
    table.appendChild(thead);
    record.rows.forEach(function (popup) {
      var tr = document.createElement("tr");
      popup.querySelectorAll("td").forEach(function (td, i) {
        tr.appendChild(i ? cell("td", td.textContent) : cell("th", td.textContent, "row"));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  function dataSection(map, title) {
    var section = document.createElement("section");
    section.className = "fg-data";
    section.setAttribute("aria-label", _("Data of the map: ") + title);
    var keys = document.createElement("p");
    keys.id = "fg-map-keys";
    keys.textContent = "In the map, arrow keys pan and plus and minus zoom; Tab goes through " +
      "the controls, then the map's features; Enter opens a feature's details, Escape " +
      "closes them. The tables below hold the same details, one table per layer.";/*$lang:
    keys.textContent = _("In the map, arrow keys pan and plus and minus zoom; Tab goes through the controls, then the map's features; Enter opens a feature's details, Escape closes them. The tables below hold the same details, one table per layer."); */
    section.appendChild(keys);
    records.forEach(function (r) { section.appendChild(dataTable(r)); });
    var box = map.getContainer();
    box.parentNode.insertBefore(section, box.nextSibling);
    return section;
  }

  // --- the time slider ---------------------------------------------------------------

  function sliderText(day, cfg) {
    var parts = [longDate(day)];
    (cfg.series || []).forEach(function (s) {
      var shown = null;
      s.points.forEach(function (p) { if (p.d <= day) shown = p; });
      parts.push(textOf(s.title) + ": " +
        (shown ? textOf(shown.t) + _(" (reported ") + longDate(shown.d) + ")" : _("none in the sources yet")));
    });
    records.forEach(function (r) {
      var timed = FG.timed.some(function (t) { return t.layer === r.layer; });
      if (!timed) return;
      var on = r.keys.filter(function (k) { return r.layer.hasLayer(k.sub); }).length;
      parts.push(r.title + ": " + on + _(" of ") + r.keys.length + _(" on the map"));
    });
    /*$lang: parts = parts.map(function (p) { return p.replace(/\.$/, ""); }); */return parts.join(". ");
  }

  function describeSlider(map, cfg) {
    var input = map.getContainer().querySelector(".fg-time input[type=range]");
    if (!input) return;
    var label = input.closest(".fg-time").querySelector("label");
    var out = label && label.querySelector("output");
    // the value text announces the date with the totals; a live output would repeat it
    if (out) out.removeAttribute("aria-live");
    function update() {
      if (out) input.setAttribute("aria-valuetext", sliderText(out.textContent, cfg));/*$lang:
      if (out) input.setAttribute("aria-valuetext", sliderText(out.getAttribute("data-fg-day"), cfg)); */
    }
    input.addEventListener("input", update);
    update();
  }

  // --- once the map is drawn ---------------------------------------------------------

  var finish0 = FG.finish;
  FG.finish = function (map, cfg) {
    finish0.apply(this, arguments);
    var box = map.getContainer();
    var h1 = parsed(cfg.title || "").querySelector("h1");
    var title = (h1 ? h1.textContent.trim() : "") || document.title;
    box.setAttribute("role", "region");
    box.setAttribute("aria-roledescription", "map");
    box.setAttribute("aria-label", title);
    box.setAttribute("aria-describedby", "fg-map-keys");
    // controls before features: Tab order follows the document
    var controls = box.querySelector(":scope > .leaflet-control-container");
    if (controls) box.insertBefore(controls, box.firstChild);
    var labels = map.getPane("fg-labels");
    // the names are on the features and in the tables; the labels alone read as a jumble
    if (labels) labels.setAttribute("aria-hidden", "true");
    dataSection(map, title);
    describeSlider(map, cfg);
    // Escape closes the open popup wherever focus is (Leaflet's does only on the map itself)
    var open = null;
    map.on("popupopen", function (e) { open = e.popup; });
    map.on("popupclose", function (e) { if (open === e.popup) open = null; });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && open) map.closePopup(open);
    });
  };
})();
