// embed.js: the page's height for an auto-height embed (maps/web/embed.py).
// The embedding page says hello ({type: "fergana:embed"}) when the iframe loads; from then
// on the map is a fixed ratio of the width (--fg-embed-ratio, theme.css) instead of the
// whole window, and the page posts {type: "fergana:height", height} to its parent on each
// change of its content's height (ResizeObserver), so the iframe can grow to show the
// caption and sources under the map on phones. Unasked (a plain iframe, a notebook's
// fixed box, a browser tab) the page keeps its own layout.
(function () {
  "use strict";
  if (window.parent === window) return;
  var root = document.documentElement, last = 0, queued = false, watching = false;

  function ratio() {
    var r = parseFloat(getComputedStyle(root).getPropertyValue("--fg-embed-ratio"));
    return r > 0 && r < 10 ? r : 0.625;
  }

  // The map box at its ratio of the width (its own height set, not the window's).
  function fitMap() {
    var box = window.FG && FG.map && FG.map.getContainer();
    if (!box) return;
    var height = Math.round(box.offsetWidth * ratio()) + "px";
    if (box.style.height === height) return;
    [["position", "relative"], ["top", "auto"], ["bottom", "auto"], ["height", height]]
      .forEach(function (p) { box.style.setProperty(p[0], p[1], "important"); });
    FG.map.invalidateSize();
  }

  // Bottom of the lowest laid-out child of <body>: the content's height, not the window's.
  function contentHeight() {
    var bottom = 0, y = window.pageYOffset || 0;
    Array.prototype.forEach.call(document.body.children, function (el) {
      var css = getComputedStyle(el);
      if (css.display === "none" || css.position === "fixed" || el.tagName === "SCRIPT") return;
      var rect = el.getBoundingClientRect();
      bottom = Math.max(bottom, rect.bottom + y + (parseFloat(css.marginBottom) || 0));
    });
    var body = getComputedStyle(document.body);
    return Math.ceil(bottom + (parseFloat(body.paddingBottom) || 0) +
                     (parseFloat(body.marginBottom) || 0));
  }

  function post() {
    queued = false;
    fitMap();
    var height = contentHeight();
    if (height === last || height <= 0) return;
    last = height;
    window.parent.postMessage({ type: "fergana:height", height: height }, "*");
  }
  function later() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(post);
  }

  function watch() {
    if (watching) return;
    watching = true;
    root.classList.add("fg-embed-fit");
    window.addEventListener("resize", later);
    if (window.ResizeObserver) {
      var seen = new ResizeObserver(later);
      seen.observe(document.body);
      Array.prototype.forEach.call(document.body.children, function (el) { seen.observe(el); });
    }
  }

  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.source !== window.parent || !d || d.type !== "fergana:embed") return;
    watch();
    last = 0;  // a new hello (the host page reloaded its script): say the height again
    post();
  });
})();
