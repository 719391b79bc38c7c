// theme.js: the colour scheme. ?theme=dark|light wins over prefers-color-scheme; the
// scheme is <html data-fg-theme>, which theme.css styles. In the dark scheme the light
// feature colours that are backgrounds (land, sea, lakes) or would vanish on them (dark
// borders) are swapped for dark ones from layers.theme.DARK_FEATURE_COLOURS (filled in
// by maps/web/assets.py), in the layers' styles, their SVG symbols and the panels' SVGs.
(function () {
  "use strict";
  var FG = window.FG, root = document.documentElement;
  var DARK = /*$dark_feature_colours*/{};
  var asked = null;
  try {
    asked = new URLSearchParams(window.location.search).get("theme");
  } catch (e) { /* no query string API: follow the reader's system */ }
  if (asked !== "dark" && asked !== "light") asked = null;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var drawn = [];  // [{layer, styles}] with the layers' own (light) styles
  // Print stays light, as the print renderer's maps do: paper is white.
  var print = window.matchMedia ? window.matchMedia("print") : null, printing = false;

  function scheme() {
    if (printing || (print && print.matches)) return "light";
    return asked || (media && media.matches ? "dark" : "light");
  }

  function hex(value) {
    var v = String(value || "").toLowerCase();
    if (/^#[0-9a-f]{3}$/.test(v)) v = "#" + v[1] + v[1] + v[2] + v[2] + v[3] + v[3];
    return v;
  }
  function colour(value, dark) {
    return dark ? DARK[hex(value)] || value : value;
  }
  function svgText(svg, dark) {
    return dark ? svg.replace(/#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b/g, function (c) {
      return DARK[hex(c)] || c;
    }) : svg;
  }

  // Every fill and stroke attribute under `box`, from its light value (kept in data-fg-light).
  function recolourSvg(box, dark) {
    box.querySelectorAll("[fill], [stroke]").forEach(function (el) {
      ["fill", "stroke"].forEach(function (name) {
        var light = el.getAttribute("data-fg-light-" + name);
        if (light === null) {
          light = el.getAttribute(name);
          if (light === null) return;
          el.setAttribute("data-fg-light-" + name, light);
        }
        el.setAttribute(name, colour(light, dark));
      });
    });
  }

  function restyleOne(l, styles, dark) {
    var s = l.feature && styles[l.feature.properties.s];
    if (!s) return;
    if (l.setStyle) {
      l.setStyle({ color: colour(s.color, dark), fillColor: colour(s.fillColor, dark) });
    } else if (s.svg && l.options.icon) {
      l.options.icon.options.html = svgText(s.svg, dark);
      if (l._map) l.setIcon(l.options.icon);
    }
  }

  // The layer's features, and those the time slider has taken off it for now.
  function restyle(item, dark) {
    item.layer.eachLayer(function (l) { restyleOne(l, item.styles, dark); });
    FG.timed.forEach(function (t) {
      if (t.layer !== item.layer) return;
      t.items.forEach(function (i) {
        if (!t.layer.hasLayer(i.f)) restyleOne(i.f, item.styles, dark);
      });
    });
  }

  function apply() {
    var name = scheme(), dark = name === "dark";
    root.setAttribute("data-fg-theme", name);
    drawn.forEach(function (item) { restyle(item, dark); });
    document.querySelectorAll(".fg-panel").forEach(function (box) { recolourSvg(box, dark); });
  }

  root.setAttribute("data-fg-theme", scheme());
  if (!FG) return;
  var layer = FG.layer, finish = FG.finish;
  FG.layer = function (map, group, spec) {
    var styles = spec.styles.map(function (s) { return Object.assign({}, s); });
    var out = layer.apply(this, arguments);
    var item = { layer: out, styles: styles };
    drawn.push(item);
    if (scheme() === "dark") restyle(item, true);
    return out;
  };
  FG.finish = function () {
    var out = finish.apply(this, arguments);
    apply();
    return out;
  };
  FG.theme = scheme;
  window.addEventListener("beforeprint", function () { printing = true; apply(); });
  window.addEventListener("afterprint", function () { printing = false; apply(); });
  if (print) {
    if (print.addEventListener) print.addEventListener("change", apply);
    else if (print.addListener) print.addListener(apply);
  }
  if (media && !asked) {
    if (media.addEventListener) media.addEventListener("change", apply);
    else if (media.addListener) media.addListener(apply);
  }
})();
