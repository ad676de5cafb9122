/* Yaku map: fills Folium's empty layers with what the viewport needs, from /map/data.
 * All data is put into the page with textContent / attributes, never as HTML. */
(function () {
  "use strict";
  var COLOURS = ["green", "yellow", "red", "grey"];
  var HEX = {green: "#1a9641", yellow: "#e6b800", red: "#d7191c", grey: "#8a8a8a"};

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

  function bboxFor(map) {
    var b = map.getBounds().pad(0.2);
    var step = 360 / Math.pow(2, map.getZoom()); /* one 256 px tile: stable, cacheable keys */
    function down(v) { return (Math.floor(v / step) * step).toFixed(5); }
    function up(v) { return (Math.ceil(v / step) * step).toFixed(5); }
    return [down(b.getWest()), down(b.getSouth()), up(b.getEast()), up(b.getNorth())].join(",");
  }

  window.yakuMapInit = function (o) {
    var map = o.map, cfg = o.config, t = cfg.t, b = cfg.bounds;
    /* Fit the region here, not animated: an animated fit would still be running (and win)
     * when the first data arrives or the user moves. Same zoom as the prefetch computes. */
    if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false});
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

    function pointIcon(p) {
      var shape = p.kind === "source" ? "yaku-src" : "yaku-pt";
      var dot = el("span", "yaku-dot yaku-" + p.status);
      var wrap = el("div", "yaku-marker " + shape + " yaku-" + p.status);
      wrap.appendChild(dot);
      return L.divIcon({className: "yaku-icon", html: wrap, iconSize: [32, 32]});
    }

    function clusterIcon(p) {
      var total = p.count, acc = 0, stops = [];
      COLOURS.forEach(function (c) {
        var n = p[c] || 0;
        if (!n) return;
        var from = (acc / total) * 360; acc += n;
        stops.push(HEX[c] + " " + from.toFixed(1) + "deg " + ((acc / total) * 360).toFixed(1) + "deg");
      });
      var size = total < 10 ? 34 : total < 100 ? 40 : total < 1000 ? 46 : 52;
      var ring = el("div", "yaku-marker yaku-cluster");
      ring.style.background = "conic-gradient(" + stops.join(",") + ")";
      ring.style.width = ring.style.height = size + "px";
      ring.appendChild(el("span", null, total));
      return L.divIcon({className: "yaku-icon", html: ring, iconSize: [size, size]});
    }

    function statusWord(status) { return t[status] || status; }

    /* Markers are kept by key between answers, so an open popup survives a pan or refresh. */
    var kept = {systems: {}, sources: {}};
    function featureKey(p, c) {
      return p.count ? "c" + c[0] + "," + c[1] + ":" + COLOURS.map(function (k) { return p[k] || 0; })
                     : "p" + p.code + ":" + p.status;
    }

    function renderPoints(group, data, name) {
      var old = kept[name], next = {};
      data.features.forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates, ll = [c[1], c[0]], key = featureKey(p, c);
        if (old[key]) { next[key] = old[key]; delete old[key]; return; }
        var m;
        if (p.count) {
          var title = p.count + " " + t.systems.toLowerCase();
          m = L.marker(ll, {icon: clusterIcon(p), title: title, alt: title, keyboard: true});
          m.on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); });
        } else {
          var label = p.code + " - " + statusWord(p.status);
          m = L.marker(ll, {icon: pointIcon(p), title: label, alt: label, keyboard: true});
          m.bindPopup(el("div", null, t.loading), {maxWidth: 260, minWidth: 200,
                                                    autoPanPaddingTopLeft: [52, 64]});
          m.on("popupopen", function () { loadPopup(m, p.code); });
        }
        next[key] = m;
        group.addLayer(m);
      });
      Object.keys(old).forEach(function (key) { group.removeLayer(old[key]); });
      kept[name] = next;
    }

    function renderReports(group, data) {
      group.clearLayers();
      data.features.forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        /* a badge up and to the right, so the system under it stays tappable */
        var icon = L.divIcon({className: "yaku-icon", html: el("div", "yaku-marker yaku-report", "!"),
                              iconSize: [28, 28], iconAnchor: [-6, 34]});
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
      var any = false;
      [["contact_name", null], ["contact_phone", "tel:"], ["contact_email", "mailto:"]].forEach(function (k) {
        if (!d[k[0]]) return;
        any = true;
        var line = el("p");
        if (k[1]) line.appendChild(link(k[1] + d[k[0]], d[k[0]])); else line.textContent = d[k[0]];
        box.appendChild(line);
      });
      if (d.whatsapp_url) {
        any = true;
        var chat = el("p", null, t.whatsapp + ": ");
        chat.appendChild(link(d.whatsapp_url, d.contact_whatsapp));
        box.appendChild(chat);
      }
      if (d.office_hours) box.appendChild(el("p", null, t.hours + ": " + d.office_hours));
      if (!any && d.fallback) {
        box.appendChild(el("p", null, t.contact + ": " + d.fallback));
        if (d.fallback_phone) box.appendChild(link("tel:" + d.fallback_phone, d.fallback_phone));
        if (d.fallback_whatsapp_url) {
          var atmChat = el("p", null, t.whatsapp + ": ");
          atmChat.appendChild(link(d.fallback_whatsapp_url, d.fallback_whatsapp));
          box.appendChild(atmChat);
        }
        if (d.fallback_hours) box.appendChild(el("p", null, t.hours + ": " + d.fallback_hours));
      } else if (!any) {
        box.appendChild(el("p", null, t.no_contact));
      }
    }

    function popupBody(d) {
      var box = el("div", "yaku-popup");
      box.appendChild(el("h3", null, d.name));
      box.appendChild(el("p", "yaku-muted", (d.kind === "source" ? t.source : t.system) + " " + d.code +
                                         (d.district ? " · " + d.district : "")));
      var status = el("p", "yaku-status");
      status.appendChild(el("span", "yaku-dot yaku-" + d.status));
      status.appendChild(el("strong", null, " " + statusWord(d.status)));
      box.appendChild(status);
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
      fetch("/map/popup/" + encodeURIComponent(code))
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
      var q = "bbox=" + bbox + "&zoom=" + zoom;
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
    window.yakuMap = map; /* for people debugging on a phone, and for the browser tests */
    map.on("moveend", refresh);
    map.on("overlayadd", function () { refresh(true); });
    refresh();
  };
})();
