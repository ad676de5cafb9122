/* Report form: place by GPS, tap or code; photo made smaller in the browser; every submission
 * goes through the outbox (queue.js), so without connection it waits and is sent later.
 * Mistakes are said where the person is looking (next to the field, scrolled to and focused),
 * and while online the server checks the place and the photo before anything says "Sent". */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("yaku-report-config").textContent);
  var t = cfg.t, form = document.getElementById("report-form");
  var statusBox = document.getElementById("status");
  var where = document.getElementById("where"), codeInput = document.getElementById("code");
  var photoInput = document.getElementById("photo");
  var place = null, pin = null, map = null;
  var MAX_SIDE = 1280, FINAL = {rejected: 1, resolved: 1, closed: 1};
  var known = {}; /* tracking code -> the report as the server last told it */

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  function say(text, kind) {
    statusBox.textContent = "";
    if (!text) return null;
    var p = el("p", "notice " + (kind || ""), text);
    statusBox.appendChild(p);
    return p;
  }

  /* --- errors where the person is looking --- */
  var FIELDS = {
    category: {box: "err-category", focus: function () { return form.querySelector("input[name=category]"); },
               marks: function () { return [document.getElementById("what")]; }},
    place: {box: "err-place", focus: function () { return codeInput.value.trim() ? codeInput : document.getElementById("gps"); },
            marks: function () { return [codeInput]; }},
    photo: {box: "err-photo", focus: function () { return photoInput; }, marks: function () { return [photoInput]; }}
  };

  function clearErrors() {
    Object.keys(FIELDS).forEach(function (name) {
      var f = FIELDS[name], box = document.getElementById(f.box);
      box.hidden = true; box.textContent = "";
      f.marks().forEach(function (m) { m.removeAttribute("aria-invalid"); m.classList.remove("invalid"); });
    });
  }

  function showError(name, text, quiet) {
    var f = FIELDS[name] || null;
    if (!f) { var p = say(text, "err"); if (p && !quiet) { p.tabIndex = -1; p.scrollIntoView({block: "center"}); p.focus(); } return; }
    var box = document.getElementById(f.box);
    box.textContent = text; box.hidden = false;
    f.marks().forEach(function (m) {
      if (m.tagName === "FIELDSET") m.classList.add("invalid"); else m.setAttribute("aria-invalid", "true");
    });
    if (quiet) return;
    box.scrollIntoView({block: "center"});
    var target = f.focus();
    if (target) target.focus({preventScroll: true});
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
      fetch("/map/data?layer=systems&bbox=" + q.join(",") + "&zoom=" + Math.round(map.getZoom()))
        .then(function (r) { return r.json(); }).then(function (d) {
          systems.clearLayers();
          d.features.forEach(function (f) {
            if (!f.properties.code) return;
            var c = f.geometry.coordinates;
            var m = L.circleMarker([c[1], c[0]], {radius: 12, weight: 2, color: "#1b1b1b", fillOpacity: 1,
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
    map.on("click", function (e) { codeInput.value = ""; setPlace(e.latlng.lat, e.latlng.lng); });
  }

  document.getElementById("gps").addEventListener("click", function () {
    if (!navigator.geolocation) { showError("place", t.gps_fail); return; }
    where.textContent = t.gps_wait;
    navigator.geolocation.getCurrentPosition(function (pos) {
      codeInput.value = "";
      setPlace(pos.coords.latitude, pos.coords.longitude);
      if (map) map.setView([pos.coords.latitude, pos.coords.longitude], 15);
    }, function () { showError("place", t.gps_fail); }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
  });

  /* --- photo: at most 1280 px, JPEG; a file the phone cannot read as an image is sent as it
   * is, so the server's own words say what is wrong with it --- */
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
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.7);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  /* --- the server's check before "Sent" (only while online; offline the report waits) --- */
  function precheck(payload, photo) {
    if (navigator.onLine === false) return Promise.resolve(null);
    var q = ["lang=" + encodeURIComponent(cfg.language)];
    var loc = payload.location;
    if (loc.code) q.push("code=" + encodeURIComponent(loc.code));
    else q.push("lon=" + loc.lon, "lat=" + loc.lat);
    if (photo) q.push("photo_bytes=" + photo.size, "photo_type=" + encodeURIComponent(photo.type || "application/octet-stream"));
    return fetch("/api/v1/report-check?" + q.join("&"), {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; }); /* no answer: the report waits in the outbox */
  }

  /* --- my reports on this phone, with their real outcome, refreshed by themselves --- */
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
          var now = known[item.tracking_code];
          if (now) {
            var line = el("p", "outbox-status outbox-status-" + now.status,
                          t.status + ": " + (cfg.statuses[now.status] || now.status));
            li.appendChild(line);
            if (now.rejection_reason) li.appendChild(el("p", "outbox-reason", now.rejection_reason));
          }
        } else if (item.state === "rejected") {
          li.appendChild(el("strong", null, t.rejected + " "));
          li.appendChild(el("span", "outbox-reason", item.error));
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

  function refreshOutcomes(items) {
    var open = items.filter(function (i) {
      return i.state === "sent" && i.tracking_code && !(known[i.tracking_code] && FINAL[known[i.tracking_code].status]);
    }).slice(0, 10);
    return Promise.all(open.map(function (item) {
      return fetch("/api/v1/reports/" + encodeURIComponent(item.tracking_code) + "?lang=" + encodeURIComponent(cfg.language),
                   {cache: "no-store"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) { if (d) known[item.tracking_code] = {status: d.status, rejection_reason: d.rejection_reason}; })
        .catch(function () {});
    }));
  }

  function flushAndShow() {
    return yakuQueue.flush().then(showOutbox).then(function (items) {
      return refreshOutcomes(items).then(showOutbox);
    });
  }

  function payloadFromForm() {
    var category = (form.querySelector("input[name=category]:checked") || {}).value;
    if (!category) { showError("category", t.need_category); return null; }
    var code = codeInput.value.trim();
    var location = code ? {code: code} : place ? {lon: place.lon, lat: place.lat} : null;
    if (!location) { showError("place", t.need_place); return null; }
    var measurements = [], select = document.getElementById("parameter");
    var value = document.getElementById("value").value;
    if (select.value && value !== "" && isFinite(+value)) {
      measurements.push({parameter: select.value, value: +value,
                         unit: select.options[select.selectedIndex].getAttribute("data-unit")});
    }
    var contact = document.getElementById("contact").value.trim();
    var notify = document.getElementById("notify");
    return {category: category, description: document.getElementById("description").value.trim(),
            location: location, measurements: measurements, contact: contact || null,
            notify: !!(contact && notify && notify.checked),
            device_id: yakuQueue.installId(), language: cfg.language};
  }

  function showSent(mine) {
    statusBox.textContent = "";
    var p = el("p", "notice ok", t.sent + " ");
    var a = el("a", "code", mine.tracking_code);
    a.setAttribute("href", "/seguimiento/" + encodeURIComponent(mine.tracking_code));
    p.appendChild(a);
    statusBox.appendChild(p);
    p.tabIndex = -1; p.scrollIntoView({block: "center"}); p.focus();
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "category") clearErrors();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var payload = payloadFromForm();
    if (!payload) return;
    var button = document.getElementById("send");
    button.disabled = true;
    say(t.checking);
    var photo = null;
    shrink(photoInput.files[0]).then(function (shrunk) {
      photo = shrunk;
      return precheck(payload, photo);
    }).then(function (check) {
      if (check && !check.ok) {
        say("");
        /* every problem at its field; the first one scrolled to and focused */
        check.problems.slice().reverse().forEach(function (problem, i, all) {
          showError(problem.field, problem.message, i < all.length - 1);
        });
        return null; /* nothing queued: the person corrects it first */
      }
      say(t.sending);
      var key = yakuQueue.newKey();
      payload.idempotency_key = key;
      var item = {key: key, payload: payload, photo: photo, created: Date.now(), state: "pending"};
      return yakuQueue.put(item).then(function () {
        form.reset(); place = null; where.textContent = t.no_place;
        if (pin && map) { map.removeLayer(pin); pin = null; }
        return yakuQueue.flush().then(function () { return yakuQueue.all(); });
      }).then(function (items) {
        var mine = items.filter(function (i) { return i.key === key; })[0];
        if (mine && mine.state === "sent") {
          showSent(mine);
        } else if (mine && mine.state === "rejected") {
          say("");
          showError(mine.http_status === 413 || mine.http_status === 415 ? "photo" : "status", t.rejected + " " + mine.error);
        } else if (mine && mine.notice) {
          say(t.pending + " " + mine.notice);  /* refused for now (429/503): why, truthfully */
        } else {
          var p = say(t.saved_offline);
          if (p) { p.tabIndex = -1; p.scrollIntoView({block: "center"}); p.focus(); }
          if (navigator.serviceWorker && navigator.serviceWorker.ready && window.SyncManager) {
            navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register("yaku-reports"); })
              .catch(function () {});
          }
        }
        return items;
      });
    }).then(function () { return flushAndShow(); }).finally(function () { button.disabled = false; });
  });

  window.addEventListener("online", flushAndShow);
  setInterval(function () { if (navigator.onLine) flushAndShow(); }, cfg.refresh_seconds * 1000);
  window.yakuFlush = flushAndShow;
  initMap();
  flushAndShow();
})();
