// Zoomable maps of filming locations, when the site has a tile server (DJANGO_MAP_TILE_URL).
// The page works without this script: the figure holds a map drawn on the server and the
// list of places with their coordinates, which this script reads to place its markers.
(() => {
  "use strict";

  function placesOf(figure) {
    return Array.from(figure.querySelectorAll("[data-latitude]"), (item) => {
      const link = item.querySelector("a");
      return {
        position: [Number(item.dataset.latitude), Number(item.dataset.longitude)],
        name: link.textContent,
        url: link.href,
      };
    });
  }

  function popup(place) {
    const link = document.createElement("a");
    link.href = place.url;
    link.textContent = place.name;
    return link;
  }

  function zoomable(figure) {
    const places = placesOf(figure);
    const drawn = figure.querySelector(".place-map__world");
    if (!places.length || !drawn || typeof L === "undefined") return;
    const holder = document.createElement("div");
    holder.className = "place-map__tiles";
    holder.setAttribute("role", "region");
    holder.setAttribute("aria-label", drawn.querySelector("title").textContent);
    drawn.setAttribute("hidden", ""); // an SVG element has no hidden property
    drawn.after(holder);
    const map = L.map(holder, { scrollWheelZoom: false });
    L.tileLayer(figure.dataset.tileUrl, {
      maxZoom: 18,
      attribution: figure.dataset.tileAttribution || "",
    }).addTo(map);
    const markers = places.map((place) =>
      L.circleMarker(place.position, { radius: 8, className: "place-map__pin" })
        .bindTooltip(place.name)
        .bindPopup(popup(place))
        .addTo(map)
    );
    map.fitBounds(L.featureGroup(markers).getBounds(), { maxZoom: 9, padding: [24, 24] });
    figure.classList.add("is-zoomable");
  }

  document.querySelectorAll(".place-map[data-tile-url]").forEach(zoomable);
})();
