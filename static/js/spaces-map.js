/* Map of the vacant spaces: progressive enhancement of the list on /spaces.
 * Reads markers from <script type="application/json" id="spaces-map-data">; without
 * JavaScript, without Leaflet or without markers the section stays hidden and the list
 * remains the whole page. Tiles come from the configured URL only; with none, the
 * markers stand on a plain background. */
(function () {
  "use strict";

  function start() {
    var source = document.getElementById("spaces-map-data");
    var section = document.querySelector("[data-map-section]");
    var container = document.getElementById("spaces-map");
    if (!source || !section || !container || !window.L) {
      return;
    }
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    var markers = (data && data.markers) || [];
    var config = (data && data.config) || {};
    if (!markers.length) {
      return;
    }
    section.hidden = false;

    var reduceMotion = window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var map = window.L.map(container, {
      scrollWheelZoom: false,
      zoomAnimation: !reduceMotion,
      fadeAnimation: !reduceMotion,
      markerZoomAnimation: !reduceMotion
    });
    if (config.tiles) {
      window.L.tileLayer(config.tiles, {
        maxZoom: 19,
        attribution: config.attribution || ""
      }).addTo(map);
    }

    var bounds = [];
    markers.forEach(function (item) {
      var position = [item.lat, item.lon];
      bounds.push(position);
      var marker = window.L.marker(position, { title: item.title, alt: item.title, keyboard: true });
      var popup = document.createElement("div");
      var heading = document.createElement("strong");
      heading.textContent = item.title;
      popup.appendChild(heading);
      var facts = [item.district, item.area].filter(Boolean).join(" · ");
      if (item.approximate && config.approximate) {
        facts = facts ? facts + " · " + config.approximate : config.approximate;
      }
      if (facts) {
        var line = document.createElement("div");
        line.textContent = facts;
        popup.appendChild(line);
      }
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = config.details || "Details";
      popup.appendChild(link);
      marker.bindPopup(popup);
      marker.addTo(map);
    });

    if (bounds.length === 1) {
      map.setView(bounds[0], 16);
    } else {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
