/* Report form: place by GPS, tap or code; photo made smaller in the browser; every submission
 * goes through the outbox (queue.js), so without connection it waits and is sent later. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("yaku-report-config").textContent);
  var t = cfg.t, form = document.getElementById("report-form");
  var statusBox = document.getElementById("status");
  var where = document.getElementById("where"), codeInput = document.getElementById("code");
  var place = null, pin = null, map = null;
  var MAX_SIDE = 1280;

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  function say(text, kind) {
    statusBox.textContent = "";
    if (!text) return;
    var p = el("p", "notice " + (kind || ""), text);
    statusBox.appendChild(p);
  }

  function setPlace(lat, lon, label) {
    place = {lat: +lat.toFixed(6), lon: +lon.toFixed(6)};
    where.textContent = t.place + " " + (label || (place.lat + ", " + place.lon));
    if (map && window.L) {
      if (pin) pin.setLatLng([lat, lon]); else pin = L.marker([lat, lon]).addTo(map);
    }
  }

  /* --- map to tap --- */
  function initMap() {
    if (!window.L) return;
    var b = cfg.bounds;
    map = L.map("pick-map", {zoomControl: true}).fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    if (cfg.tile_url) L.tileLayer(cfg.tile_url, {attribution: cfg.tile_attribution, maxZoom: 18}).addTo(map);
    fetch("/map/districts").then(function (r) { return r.json(); }).then(function (d) {
      L.geoJSON(d, {style: {color: "#555", weight: 1, fillOpacity: 0.03}, interactive: false}).addTo(map);
    }).catch(function () {});
    var systems = L.layerGroup().addTo(map);
    function loadSystems() {
      if (map.getZoom() < 11) { systems.clearLayers(); return; }
      var bb = map.getBounds();
      var q = [bb.getWest(), bb.getSouth(), bb.getEast(), bb.getNorth()].map(function (v) { return v.toFixed(4); });
      fetch("/map/data?layer=systems&bbox=" + q.join(",") + "&zoom=" + map.getZoom())
        .then(function (r) { return r.json(); }).then(function (d) {
          systems.clearLayers();
          d.features.forEach(function (f) {
            if (!f.properties.code) return;
            var c = f.geometry.coordinates;
            var m = L.circleMarker([c[1], c[0]], {radius: 9, weight: 2, color: "#1b1b1b", fillOpacity: 1,
                                                  className: "yaku-" + f.properties.status});
            m.on("click", function (e) {
              L.DomEvent.stopPropagation(e);
              codeInput.value = f.properties.code;
              setPlace(c[1], c[0], t.system + " " + f.properties.code);
            });
            systems.addLayer(m);
          });
        }).catch(function () {});
    }
    map.on("moveend", loadSystems);
    map.on("click", function (e) { setPlace(e.latlng.lat, e.latlng.lng); });
  }

  document.getElementById("gps").addEventListener("click", function () {
    if (!navigator.geolocation) { say(t.gps_fail, "err"); return; }
    say(t.gps_wait);
    navigator.geolocation.getCurrentPosition(function (pos) {
      say("");
      setPlace(pos.coords.latitude, pos.coords.longitude);
      if (map) map.setView([pos.coords.latitude, pos.coords.longitude], 15);
    }, function () { say(t.gps_fail, "err"); }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
  });

  /* --- photo: at most 1280 px, JPEG --- */
  function shrink(file) {
    if (!file) return Promise.resolve(null);
    return new Promise(function (resolve) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) { resolve(blob); }, "image/jpeg", 0.7);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(null); };
      img.src = url;
    });
  }

  /* --- outbox view --- */
  function showOutbox() {
    return yakuQueue.all("report").then(function (items) {
      var box = document.getElementById("outbox"), list = document.getElementById("outbox-list");
      list.textContent = "";
      items.sort(function (a, b) { return b.created - a.created; });
      items.slice(0, 10).forEach(function (item) {
        var li = el("li", "outbox-" + item.state);
        var label = (cfg.categories[item.payload.category] || item.payload.category) + " · " +
                    new Date(item.created).toLocaleString(cfg.language) + " · ";
        li.appendChild(el("span", null, label));
        if (item.state === "sent") {
          li.appendChild(el("span", null, t.sent + " "));
          var a = el("a", "code", item.tracking_code);
          a.setAttribute("href", "/seguimiento/" + encodeURIComponent(item.tracking_code));
          li.appendChild(a);
        } else if (item.state === "rejected") {
          li.appendChild(el("span", null, t.rejected + " " + item.error));
        } else {
          li.appendChild(el("strong", null, t.pending));
          if (item.notice) li.appendChild(el("span", "yaku-muted", " " + item.notice));
        }
        list.appendChild(li);
      });
      box.hidden = items.length === 0;
      return items;
    });
  }

  function flushAndShow() {
    return yakuQueue.flush().then(showOutbox);
  }

  function payloadFromForm() {
    var category = (form.querySelector("input[name=category]:checked") || {}).value;
    if (!category) { say(t.need_category, "err"); return null; }
    var code = codeInput.value.trim();
    var location = code ? {code: code} : place ? {lon: place.lon, lat: place.lat} : null;
    if (!location) { say(t.need_place, "err"); return null; }
    var measurements = [], select = document.getElementById("parameter");
    var value = document.getElementById("value").value;
    if (select.value && value !== "" && isFinite(+value)) {
      measurements.push({parameter: select.value, value: +value,
                         unit: select.options[select.selectedIndex].getAttribute("data-unit")});
    }
    var contact = document.getElementById("contact").value.trim();
    return {category: category, description: document.getElementById("description").value.trim(),
            location: location, measurements: measurements, contact: contact || null,
            device_id: yakuQueue.installId(), language: cfg.language};
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var payload = payloadFromForm();
    if (!payload) return;
    var button = document.getElementById("send");
    button.disabled = true;
    say(t.sending);
    shrink(document.getElementById("photo").files[0]).then(function (photo) {
      var key = yakuQueue.newKey();
      payload.idempotency_key = key;
      var item = {key: key, payload: payload, photo: photo, created: Date.now(), state: "pending"};
      return yakuQueue.put(item).then(function () { return key; });
    }).then(function (key) {
      form.reset(); place = null;
      if (pin && map) { map.removeLayer(pin); pin = null; }
      return yakuQueue.flush().then(function () { return yakuQueue.all(); }).then(function (items) {
        var mine = items.filter(function (i) { return i.key === key; })[0];
        if (mine && mine.state === "sent") {
          statusBox.textContent = "";
          var p = el("p", "notice ok", t.sent + " ");
          var a = el("a", "code", mine.tracking_code);
          a.setAttribute("href", "/seguimiento/" + encodeURIComponent(mine.tracking_code));
          p.appendChild(a);
          statusBox.appendChild(p);
        } else if (mine && mine.state === "rejected") {
          say(t.rejected + " " + mine.error, "err");
        } else if (mine && mine.notice) {
          say(t.pending + " " + mine.notice);  /* refused for now (429/503): why, truthfully */
        } else {
          say(t.saved_offline);
          if (navigator.serviceWorker && navigator.serviceWorker.ready && window.SyncManager) {
            navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register("yaku-reports"); })
              .catch(function () {});
          }
        }
      });
    }).then(showOutbox).finally(function () { button.disabled = false; });
  });

  window.addEventListener("online", flushAndShow);
  setInterval(function () { if (navigator.onLine) flushAndShow(); }, 20000);
  window.yakuFlush = flushAndShow;
  initMap();
  flushAndShow();
})();
