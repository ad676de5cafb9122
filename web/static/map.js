/* Yaku map: fills Folium's empty layers with what the viewport needs, from /map/data.
 * All data is put into the page with textContent / attributes, never as HTML.
 * Markers differ by shape and sign, not only colour (web/markers.py defines the shapes). */
(function () {
  "use strict";
  var COLOURS = ["green", "yellow", "red", "grey"];
  var HEX = {green: "#1a9641", yellow: "#e6b800", red: "#d7191c", grey: "#8a8a8a"};
  var SVGNS = "http://www.w3.org/2000/svg";
  var VIEW_KEY = "yaku-view";
  var UNCLUSTERED_ZOOM = 17; /* web/queries.py: every point on its own from here */
  var LABEL_ZOOM = 9; /* district names from this zoom on */

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(href, text, cls) {
    var a = el("a", cls, text);
    a.setAttribute("href", href);
    return a;
  }

  /* The shape of a status (or "alert") as an SVG element, like web/markers.svg. */
  function shapeSvg(shapes, kind, size) {
    var s = shapes[kind] || shapes.grey;
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("viewBox", "0 0 32 32");
    svg.setAttribute("width", size); svg.setAttribute("height", size);
    svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "yaku-shape yaku-shape-" + s.name);
    var path = document.createElementNS(SVGNS, "path");
    path.setAttribute("d", s.path); path.setAttribute("fill", s.fill);
    path.setAttribute("stroke", "#1b1b1b"); path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linejoin", "round");
    var sign = document.createElementNS(SVGNS, "text");
    sign.setAttribute("x", "16"); sign.setAttribute("y", s.sign_y);
    sign.setAttribute("text-anchor", "middle"); sign.setAttribute("font-size", "15");
    sign.setAttribute("font-weight", "700"); sign.setAttribute("fill", s.sign_colour);
    sign.setAttribute("font-family", "system-ui,sans-serif");
    sign.textContent = s.sign;
    svg.appendChild(path); svg.appendChild(sign);
    return svg;
  }

  /* wa.me wants the number with its country code: a 9-digit Peruvian mobile gets 51. */
  function whatsappHref(number) {
    var digits = String(number || "").replace(/\D/g, "");
    if (!digits) return null;
    if (digits.length === 9) digits = "51" + digits;
    return "https://wa.me/" + digits;
  }

  function bboxFor(map) {
    var b = map.getBounds().pad(0.2);
    var step = 360 / Math.pow(2, Math.floor(map.getZoom())); /* one 256 px tile: stable keys */
    function down(v) { return (Math.floor(v / step) * step).toFixed(5); }
    function up(v) { return (Math.ceil(v / step) * step).toFixed(5); }
    return [down(b.getWest()), down(b.getSouth()), up(b.getEast()), up(b.getNorth())].join(",");
  }

  function savedView(b) {
    var v = null;
    try { v = JSON.parse(localStorage.getItem(VIEW_KEY) || "null"); } catch (e) { return null; }
    if (!v || !isFinite(v.lat) || !isFinite(v.lng) || !isFinite(v.zoom)) return null;
    var margin = 1; /* a view far outside La Libertad is not worth restoring */
    if (v.lng < b[0] - margin || v.lng > b[2] + margin || v.lat < b[1] - margin || v.lat > b[3] + margin) return null;
    return v;
  }

  window.yakuMapInit = function (o) {
    var map = o.map, cfg = o.config, t = cfg.t, b = cfg.bounds, shapes = cfg.shapes;
    /* Not animated: an animated move would still be running (and win) when the first data
     * arrives. Same view as static/map-prefetch.js computes. */
    var view = b ? savedView(b) : null;
    if (view) map.setView([view.lat, view.lng], Math.max(6, Math.min(18, view.zoom)), {animate: false});
    else if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false});
    map.on("moveend", function () {
      var c = map.getCenter();
      try {
        localStorage.setItem(VIEW_KEY, JSON.stringify({lat: +c.lat.toFixed(5), lng: +c.lng.toFixed(5), zoom: map.getZoom()}));
      } catch (e) { /* private mode: nothing remembered */ }
    });
    if (map.attributionControl) {
      map.attributionControl.setPrefix("Leaflet");
      map.attributionControl.addAttribution(t.attribution);
    }
    var state = {systems: null, sources: null, reports: null};
    var controllers = {}, seq = {};

    /* Districts: tooltip with counts; choropleth of the chosen colour's share. */
    var ramp = {green: "#1a9641", yellow: "#c99a00", red: "#d7191c", grey: "#555555"};
    function styleDistricts(colour) {
      o.districts.setStyle(function (f) {
        var p = f.properties;
        if (colour === "none" || !p.systems) {
          return {color: "#555", weight: 1, fillColor: "#ffffff", fillOpacity: 0.05};
        }
        return {color: "#555", weight: 1, fillColor: ramp[colour],
                fillOpacity: 0.05 + 0.6 * (p["pct_" + colour] / 100)};
      });
      var bar = document.querySelector(".yaku-ramp-bar");
      if (bar) bar.style.background = colour === "none" ? "#fff" :
        "linear-gradient(90deg, #ffffff, " + ramp[colour] + ")";
    }
    o.districts.eachLayer(function (layer) {
      var p = layer.feature.properties;
      var box = el("div", "yaku-tip");
      box.appendChild(el("strong", null, p.name));
      box.appendChild(el("div", null, t.systems + ": " + p.systems));
      COLOURS.forEach(function (c) {
        box.appendChild(el("div", null, t[c] + ": " + p[c] + " (" + p["pct_" + c] + "%)"));
      });
      layer.bindTooltip(box, {sticky: true});
    });
    var select = document.getElementById("yaku-choropleth");
    if (select) {
      select.addEventListener("change", function () { styleDistricts(select.value); });
      styleDistricts(select.value);
    }

    function statusWord(status) { return t[status] || status; }

    function alertBadge(count) {
      var badge = el("span", "yaku-alert");
      badge.appendChild(shapeSvg(shapes, "alert", 24));
      if (count) badge.appendChild(el("span", "yaku-alert-count", count));
      return badge;
    }

    function pointIcon(p) {
      var kind = p.kind === "source" ? "yaku-src" : "yaku-pt";
      var shape = (shapes[p.status] || shapes.grey).name;
      var wrap = el("div", "yaku-marker " + kind + " yaku-" + p.status + " yaku-shape-" + shape);
      wrap.setAttribute("data-shape", shape);
      wrap.appendChild(shapeSvg(shapes, p.status, p.kind === "source" ? 24 : 30));
      if (p.alert) wrap.appendChild(alertBadge());
      return L.divIcon({className: "yaku-icon", html: wrap, iconSize: [44, 44]});
    }

    function clusterIcon(p) {
      var total = p.count, acc = 0, stops = [];
      COLOURS.forEach(function (c) {
        var n = p[c] || 0;
        if (!n) return;
        var from = (acc / total) * 360; acc += n;
        stops.push(HEX[c] + " " + from.toFixed(1) + "deg " + ((acc / total) * 360).toFixed(1) + "deg");
      });
      var size = total < 100 ? 44 : total < 1000 ? 48 : 54; /* at least 44 px: a thumb */
      var ring = el("div", "yaku-marker yaku-cluster");
      ring.style.background = "conic-gradient(" + stops.join(",") + ")";
      ring.style.width = ring.style.height = size + "px";
      ring.appendChild(el("span", null, total));
      if (p.alerts) ring.appendChild(alertBadge(p.alerts));
      return L.divIcon({className: "yaku-icon", html: ring, iconSize: [size, size]});
    }

    function clusterTitle(p) {
      var parts = COLOURS.filter(function (c) { return p[c]; }).map(function (c) { return t[c] + ": " + p[c]; });
      var title = p.count + " " + t.systems.toLowerCase() + " (" + parts.join(", ") + ")";
      if (p.alerts) title += " · " + t.alert + ": " + p.alerts;
      return title;
    }

    /* Markers are kept by key between answers, so an open popup survives a pan or refresh. */
    var kept = {systems: {}, sources: {}};
    var pendingOpen = null;
    function featureKey(p, c) {
      return p.count ? "c" + c[0] + "," + c[1] + ":" + COLOURS.map(function (k) { return p[k] || 0; }) + ":" + (p.alerts || 0)
                     : "p" + p.code + ":" + p.status + ":" + (p.alert || "");
    }

    function renderPoints(group, data, name) {
      var old = kept[name], next = {};
      data.features.forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates, ll = [c[1], c[0]], key = featureKey(p, c);
        if (old[key]) { next[key] = old[key]; delete old[key]; return; }
        var m;
        if (p.count) {
          var title = clusterTitle(p);
          m = L.marker(ll, {icon: clusterIcon(p), title: title, alt: title, keyboard: true});
          m.on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); });
        } else {
          var label = p.code + " - " + statusWord(p.status) +
                      (p.alert ? " · " + t.alert + ": " + (t.alert_topics[p.alert] || p.alert) : "");
          m = L.marker(ll, {icon: pointIcon(p), title: label, alt: label, keyboard: true});
          m.yakuCode = p.code;
          /* a tall popup scrolls inside the map instead of losing its top on a phone */
          m.bindPopup(el("div", null, t.loading), {maxWidth: 280, minWidth: 220,
                                                    maxHeight: Math.max(220, map.getSize().y - 120),
                                                    autoPanPaddingTopLeft: [52, 64]});
          m.on("popupopen", function () { loadPopup(m, p.code); });
        }
        next[key] = m;
        group.addLayer(m);
      });
      Object.keys(old).forEach(function (key) { group.removeLayer(old[key]); });
      kept[name] = next;
      if (pendingOpen) {
        Object.keys(next).forEach(function (key) {
          if (pendingOpen && next[key].yakuCode === pendingOpen) { next[key].openPopup(); pendingOpen = null; }
        });
      }
    }

    function renderReports(group, data) {
      group.clearLayers();
      data.features.forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        /* a 44 px badge up and to the right, clear of the system's own 44 px marker */
        var badge = el("div", "yaku-marker yaku-report-box");
        badge.appendChild(el("span", "yaku-report", "!"));
        var icon = L.divIcon({className: "yaku-icon", html: badge, iconSize: [44, 44], iconAnchor: [-20, 64]});
        var m = L.marker([c[1], c[0]], {icon: icon, title: t.report, keyboard: true});
        var box = el("div", "yaku-popup");
        box.appendChild(el("h3", null, (t.categories[p.category] || p.category)));
        box.appendChild(el("p", null, (t.statuses[p.status] || p.status) + " · " + p.received));
        box.appendChild(link("/seguimiento/" + encodeURIComponent(p.code), t.follow, "yaku-btn"));
        m.bindPopup(box);
        group.addLayer(m);
      });
    }

    function contactLines(box, d) {
      if (d.provider) box.appendChild(el("p", null, t.provider + ": " + d.provider));
      var phone = d.contact_phone;
      var whats = d.contact_whatsapp, email = d.contact_email, hours = d.office_hours;
      var any = d.contact_name || d.contact_phone || whats || email;
      if (!any && d.fallback) {
        box.appendChild(el("p", null, t.contact + ": " + d.fallback));
        phone = d.fallback_phone; whats = d.fallback_whatsapp; email = d.fallback_email; hours = d.fallback_hours;
      } else if (d.contact_name) {
        box.appendChild(el("p", null, d.contact_name));
      }
      var line = el("p", "yaku-actions");
      if (phone) line.appendChild(link("tel:" + String(phone).replace(/[^\d+]/g, ""), t.call + " " + phone, "yaku-btn yaku-btn-light"));
      var wa = whatsappHref(whats);
      if (wa) line.appendChild(link(wa, t.whatsapp, "yaku-btn yaku-btn-light"));
      if (email) line.appendChild(link("mailto:" + email, email, "yaku-btn yaku-btn-light"));
      if (line.childNodes.length) box.appendChild(line);
      if (hours) box.appendChild(el("p", "yaku-muted", t.hours + ": " + hours));
      if (!any && !d.fallback) box.appendChild(el("p", null, t.no_contact));
    }

    function alertBox(d) {
      var box = el("div", "yaku-alert-box");
      var head = el("p", "yaku-alert-head");
      head.appendChild(shapeSvg(shapes, "alert", 22));
      head.appendChild(el("strong", null, " " + t.alert + ": " + (t.alert_topics[d.alert] || d.alert)));
      box.appendChild(head);
      if (d.alert_since) box.appendChild(el("p", "yaku-muted", t.alert_since + " " + d.alert_since));
      box.appendChild(el("p", "yaku-advice", t.alert_advice[d.alert] || t.alert_advice.suspected_contamination));
      box.appendChild(el("p", "yaku-muted", t.alert_note));
      return box;
    }

    function popupBody(d) {
      var box = el("div", "yaku-popup");
      box.appendChild(el("h3", null, d.name));
      box.appendChild(el("p", "yaku-muted", (d.kind === "source" ? t.source : t.system) + " " + d.code +
                                         (d.district ? " · " + d.district : "")));
      var status = el("p", "yaku-status");
      status.appendChild(shapeSvg(shapes, d.status, 22));
      status.appendChild(el("strong", null, " " + statusWord(d.status)));
      box.appendChild(status);
      if (t.meaning[d.status]) box.appendChild(el("p", "yaku-meaning", t.meaning[d.status]));
      if (d.alert) box.appendChild(alertBox(d));
      var evidence = d.evidence === "none" ? t.evidence_none :
        (d.evidence === "official" ? t.evidence_official : t.evidence_citizen) +
        (d.evidence_at ? " (" + d.evidence_at + ")" : "");
      box.appendChild(el("p", null, evidence));
      if (d.reason) box.appendChild(el("p", "yaku-muted", d.reason));
      contactLines(box, d);
      if (d.communities && d.communities.length) {
        box.appendChild(el("p", null, t.communities + ": " + d.communities.join(", ")));
      }
      if (d.population) box.appendChild(el("p", null, t.population + ": " + d.population));
      if (d.system_name) box.appendChild(el("p", null, t.system + ": " + d.system_name));
      var reports = el("div", "yaku-reports");
      reports.appendChild(el("strong", null, t.open_reports + ": " + d.reports.length));
      d.reports.forEach(function (r) {
        var line = el("p");
        line.appendChild(link("/seguimiento/" + encodeURIComponent(r.code),
                              (t.categories[r.category] || r.category) + " · " + r.received));
        reports.appendChild(line);
        var a = r.answer;
        reports.appendChild(el("p", "yaku-muted yaku-answer", a ?
          t.answer + " (" + (a.by || "") + ", " + a.date + "): " + (t.statuses[a.status] || a.status) +
          (a.note ? " - " + a.note : "") : t.no_answer));
      });
      box.appendChild(reports);
      var actions = el("p", "yaku-actions");
      actions.appendChild(link("/reportar?code=" + encodeURIComponent(d.code), t.report_here, "yaku-btn"));
      var detailCode = d.kind === "source" ? d.system : d.code;
      if (detailCode) {
        actions.appendChild(link("/sistemas/" + encodeURIComponent(detailCode), t.details, "yaku-btn yaku-btn-light"));
      }
      box.appendChild(actions);
      return box;
    }

    function loadPopup(marker, code) {
      fetch("/map/popup/" + encodeURIComponent(code) + "?lang=" + encodeURIComponent(t.lang))
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (d) { marker.setPopupContent(popupBody(d)); })
        .catch(function () { marker.setPopupContent(el("p", null, t.offline)); });
    }

    function prefetchCovers(pre) {
      if (!pre || pre.zoom !== map.getZoom()) return false;
      var b = map.getBounds();
      return b.getWest() >= pre.bbox[0] && b.getSouth() >= pre.bbox[1] &&
             b.getEast() <= pre.bbox[2] && b.getNorth() <= pre.bbox[3];
    }

    function fetchLayer(name, url, render) {
      if (controllers[name]) controllers[name].abort();
      var ctrl = window.AbortController ? new AbortController() : null;
      controllers[name] = ctrl;
      var pre = window.yakuPrefetch;
      var promise;
      if (name === "systems" && prefetchCovers(pre)) {
        promise = pre.promise; window.yakuPrefetch = null;
      } else {
        promise = fetch(url, ctrl ? {signal: ctrl.signal} : {}).then(function (r) {
          if (!r.ok) throw new Error(r.status); return r.json();
        });
      }
      var ticket = (seq[name] = (seq[name] || 0) + 1);
      promise.then(function (data) {
        if (ticket !== seq[name]) return; /* an answer overtaken by a newer view */
        state[name] = url; render(data);
      })
        .catch(function () { /* offline: keep what is shown */ });
    }

    var lastView = null;
    function covered(zoom) {
      if (!lastView || lastView.zoom !== zoom) return false;
      var b = map.getBounds(), box = lastView.box;
      return b.getWest() >= box[0] && b.getSouth() >= box[1] && b.getEast() <= box[2] && b.getNorth() <= box[3];
    }

    function refresh(force) {
      var zoom = map.getZoom();
      if (force !== true && covered(zoom)) return; /* small pans (and popup auto-pan) need nothing new */
      var bbox = bboxFor(map);
      lastView = {zoom: zoom, box: bbox.split(",").map(Number)};
      var q = "bbox=" + bbox + "&zoom=" + Math.round(zoom);
      if (map.hasLayer(o.systems)) {
        var u = "/map/data?layer=systems&" + q;
        if (state.systems !== u) fetchLayer("systems", u, function (d) { renderPoints(o.systems, d, "systems"); });
      }
      if (map.hasLayer(o.sources)) {
        var s = "/map/data?layer=sources&" + q;
        if (state.sources !== s) fetchLayer("sources", s, function (d) { renderPoints(o.sources, d, "sources"); });
      }
      if (map.hasLayer(o.reports)) {
        var r = "/map/reports?bbox=" + bbox;
        if (state.reports !== r) fetchLayer("reports", r, function (d) { renderReports(o.reports, d); });
      }
    }

    /* Place names for a map without tiles: provincial capitals always, districts up close. */
    var capitals = L.layerGroup(), districtNames = L.layerGroup();
    function label(name, ll, cls) {
      var icon = L.divIcon({className: "yaku-place " + cls, html: el("span", null, name), iconSize: null});
      return L.marker(ll, {icon: icon, interactive: false, keyboard: false});
    }
    function showPlaceNames() {
      if (map.getZoom() >= LABEL_ZOOM) districtNames.addTo(map); else map.removeLayer(districtNames);
    }
    function loadPlaces() {
      fetch("/map/places").then(function (r) { return r.json(); }).then(function (d) {
        d.capitals.forEach(function (c) { capitals.addLayer(label(c[0], [c[2], c[1]], "yaku-capital")); });
        d.districts.forEach(function (c) { districtNames.addLayer(label(c[0], [c[2], c[1]], "yaku-district-name")); });
        capitals.addTo(map);
        showPlaceNames();
      }).catch(function () {});
    }
    map.on("zoomend", showPlaceNames);

    /* For static/map-find.js: open a system's popup once its marker is on the map. */
    function openCode(code, lat, lon) {
      pendingOpen = code;
      map.setView([lat, lon], Math.max(map.getZoom(), UNCLUSTERED_ZOOM), {animate: false});
      refresh(true);
    }

    window.yakuMap = map; /* for people debugging on a phone, and for the browser tests */
    window.yakuMapApi = {t: t, shapes: shapes, bounds: b, shapeSvg: shapeSvg, statusWord: statusWord,
                         openCode: openCode};
    map.on("moveend", refresh);
    map.on("overlayadd", function () { refresh(true); });
    refresh();
    /* place names after the first markers: on a slow link they must not compete with them */
    var placesAsked = false;
    o.systems.on("layeradd", function () {
      if (!placesAsked) { placesAsked = true; setTimeout(loadPlaces, 0); }
    });
    setTimeout(function () { if (!placesAsked) { placesAsked = true; loadPlaces(); } }, 8000);
    document.dispatchEvent(new CustomEvent("yaku:map-ready"));
  };
})();
