/* Outbox in IndexedDB, shared by the pages and the service worker: citizen reports (the
 * default) and operators' rounds of readings (item.kind "readings", item.url, item.headers).
 * Each item keeps its idempotency key from the moment it is created, so a retry after a lost
 * answer can never store it twice. */
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

  function kindOf(item) { return item.kind || "report"; }

  /* One id per install of the form on this phone, generated once and kept: sent with every
   * report as its device_id, so the service limits a phone by itself and not by the network
   * address a whole village may share. Only its salted hash is stored. */
  function installId() {
    var KEY = "yaku-install-id", id = null;
    try { id = root.localStorage.getItem(KEY); } catch (e) { return null; }
    if (!id) {
      id = newKey();
      try { root.localStorage.setItem(KEY, id); } catch (e) { return null; }
    }
    return id;
  }

  function put(item) { return tx("readwrite", function (s) { return s.put(item); }); }
  function remove(key) { return tx("readwrite", function (s) { return s.delete(key); }); }
  /* Every item, or those of one kind ("report", "readings"). */
  function all(kind) {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return kind ? items.filter(function (i) { return kindOf(i) === kind; }) : items;
    });
  }

  function body(item) {
    if (!item.photo || kindOf(item) !== "report") return {body: JSON.stringify(item.payload), headers: {"Content-Type": "application/json"}};
    /* Multipart fields of POST /api/v1/reports: flat fields, location split, measurements JSON. */
    var p = item.payload, form = new FormData();
    ["category", "description", "contact", "device_id", "language", "idempotency_key"].forEach(function (k) {
      if (p[k] !== null && p[k] !== undefined && p[k] !== "") form.append(k, String(p[k]));
    });
    if (p.notify) form.append("notify", "true");
    if (p.location.code) form.append("location_code", p.location.code);
    else { form.append("lon", String(p.location.lon)); form.append("lat", String(p.location.lat)); }
    if (p.measurements && p.measurements.length) form.append("measurements", JSON.stringify(p.measurements));
    form.append("photo", item.photo, "photo.jpg");
    return {body: form, headers: {}};
  }

  /* Send one item. Resolves to "sent" (with the answer stored), "rejected" (the server
   * refused it: kept with its message) or "later" (no connection, server trouble, or a staff
   * session to renew: signed out, or a form token that changed). */
  function send(item, extraHeaders) {
    var b = body(item), name;
    for (name in item.headers || {}) b.headers[name] = item.headers[name];
    for (name in extraHeaders || {}) b.headers[name] = extraHeaders[name];
    b.headers["Idempotency-Key"] = item.key;
    /* ?lang: a refusal comes back in the words of the page the item was written on */
    var lang = encodeURIComponent((item.payload && item.payload.language) || "es");
    var url = (item.url || "/api/v1/reports") + ((item.url || "").indexOf("?") < 0 ? "?" : "&") + "lang=" + lang;
    return fetch(url, {method: "POST", body: b.body, headers: b.headers, credentials: "same-origin"})
      .then(function (r) {
        if (r.status === 200 || r.status === 201) {
          return r.json().then(function (d) {
            item.state = "sent"; item.tracking_code = d.tracking_code; item.photo = null;
            item.answer = d;
            return put(item).then(function () { return "sent"; });
          });
        }
        if (r.status === 401 || (r.status === 403 && kindOf(item) !== "report")) {
          return r.json().catch(function () { return {}; }).then(function (d) {
            var error = (d && d.error) || {}, message = error.message || String(r.status);
            if (r.status === 401 || error.code === "csrf_failed") {
              item.waiting = message;  /* kept: sent once the person signs in again */
              return put(item).then(function () { return "later"; });
            }
            item.state = "rejected"; item.error = message;
            return put(item).then(function () { return "rejected"; });
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
        if (r.status === 429 || r.status === 503) {
          /* Kept and sent again after Retry-After; the reason is shown beside it. */
          var wait = parseInt(r.headers.get("Retry-After") || "60", 10);
          return r.json().catch(function () { return {}; }).then(function (d) {
            item.retry_at = Date.now() + (isFinite(wait) ? wait : 60) * 1000;
            item.notice = d && d.error && d.error.message ? d.error.message : null;
            return put(item).then(function () { return "later"; });
          });
        }
        return "later";
      }, function () { return "later"; });
  }

  /* Send every pending item, oldest first. A page may pass fresher headers for the items of
   * its kind ({kind: "readings", headers: {"X-CSRF-Token": ...}}). */
  var flushing = null;
  function flush(options) {
    if (flushing) return flushing;
    var opts = options || {};
    flushing = all().then(function (items) {
      var now = Date.now();
      var waiting = items.filter(function (i) { return i.state === "pending" && !(i.retry_at > now); })
                         .sort(function (a, b) { return a.created - b.created; });
      return waiting.reduce(function (p, item) {
        var extra = opts.kind && kindOf(item) === opts.kind ? opts.headers : null;
        return p.then(function () { return send(item, extra); });
      }, Promise.resolve());
    }).then(function () { flushing = null; }, function () { flushing = null; });
    return flushing;
  }

  root.yakuQueue = {newKey: newKey, installId: installId, put: put, remove: remove, all: all, flush: flush};
})(typeof self !== "undefined" ? self : window);
