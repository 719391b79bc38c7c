{% macro script(this, kwargs) %}
(function (map) {
  var groups = { {%- for key, group in this.groups %}{{ key|tojson }}: {{ group }},{% endfor -%} };
  var Legend = L.Control.extend({
    onAdd: function () {
      var div = L.DomUtil.create("div", "fg-panel fg-legend");
      div.setAttribute("role", "region");
      div.setAttribute("aria-label", {{ this.label|tojson }});
      div.innerHTML = {{ this.html|tojson }};
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }
  });
  var box = new Legend({ position: {{ this.position|tojson }} }).addTo(map).getContainer();
  FG.legend(map, box);  // its button; closed on phones
  function sync() {
    Object.keys(groups).forEach(function (key) {
      box.querySelectorAll('[data-fg-layer="' + key + '"]').forEach(function (section) {
        section.hidden = !map.hasLayer(groups[key]);
      });
    });
  }
  map.on("overlayadd overlayremove", sync);
  sync();
})({{ this._parent.get_name() }});
{% endmacro %}
