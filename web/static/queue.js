/* Outbox of citizen reports in IndexedDB, shared by the report page and the service worker.
 * Each item keeps its idempotency key from the moment it is created, so a retry after a lost
 * answer can never create a second report. */
(function (root) {
  "use strict";
  var DB = "yaku", STORE = "outbox";

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, {keyPath: "key"}); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), store = t.objectStore(STORE), out = work(store);
        t.oncomplete = function () { db.close(); resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var a = new Uint8Array(16); root.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function put(item) { return tx("readwrite", function (s) { return s.put(item); }); }
  function remove(key) { return tx("readwrite", function (s) { return s.delete(key); }); }
  function all() { return tx("readonly", function (s) { return s.getAll(); }); }

  function body(item) {
    if (!item.photo) return {body: JSON.stringify(item.payload), headers: {"Content-Type": "application/json"}};
    /* Multipart fields of POST /api/v1/reports: flat fields, location split, measurements JSON. */
    var p = item.payload, form = new FormData();
    ["category", "description", "contact", "language", "idempotency_key"].forEach(function (k) {
      if (p[k] !== null && p[k] !== undefined && p[k] !== "") form.append(k, String(p[k]));
    });
    if (p.location.code) form.append("location_code", p.location.code);
    else { form.append("lon", String(p.location.lon)); form.append("lat", String(p.location.lat)); }
    if (p.measurements && p.measurements.length) form.append("measurements", JSON.stringify(p.measurements));
    form.append("photo", item.photo, "photo.jpg");
    return {body: form, headers: {}};
  }

  /* Send one item. Resolves to "sent" (with the tracking code stored), "rejected" (the server
   * refused it: kept with its message) or "later" (no connection or server trouble). */
  function send(item) {
    var b = body(item);
    b.headers["Idempotency-Key"] = item.key;
    /* ?lang: a refusal comes back in the words of the page the report was written on */
    var lang = encodeURIComponent(item.payload.language || "es");
    return fetch("/api/v1/reports?lang=" + lang, {method: "POST", body: b.body, headers: b.headers})
      .then(function (r) {
        if (r.status === 200 || r.status === 201) {
          return r.json().then(function (d) {
            item.state = "sent"; item.tracking_code = d.tracking_code; item.photo = null;
            return put(item).then(function () { return "sent"; });
          });
        }
        if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
          return r.json().catch(function () { return {}; }).then(function (d) {
            item.state = "rejected";
            item.http_status = r.status;
            item.error = d && d.error && d.error.message ? d.error.message : String(r.status);
            return put(item).then(function () { return "rejected"; });
          });
        }
        return "later";
      }, function () { return "later"; });
  }

  var flushing = null;
  function flush() {
    if (flushing) return flushing;
    flushing = all().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "pending"; })
                         .sort(function (a, b) { return a.created - b.created; });
      return waiting.reduce(function (p, item) {
        return p.then(function () { return send(item); });
      }, Promise.resolve());
    }).then(function () { flushing = null; }, function () { flushing = null; });
    return flushing;
  }

  root.yakuQueue = {newKey: newKey, put: put, remove: remove, all: all, flush: flush};
})(typeof self !== "undefined" ? self : window);
