/* Yaku service worker: keeps the shell, Leaflet, the last map data and the pages visited for
 * use without connection, and sends queued reports when the connection returns (Background
 * Sync where the browser has it). */
importScripts("/static/queue.js");
var CACHE = "yaku-v3";  // v3: forms send their install id; the map and readings work offline
var SHELL = ["/", "/reportar", "/seguimiento", "/static/yaku.css", "/static/map.js", "/static/map-find.js",
             "/static/map-prefetch.js", "/static/report.js", "/static/queue.js", "/static/tracking.js",
             "/static/register-sw.js", "/static/icons/drop.svg", "/static/icons/categories.svg",
             "/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css", "/map/places",
             "/map/districts", "/static/readings.js", "/static/evidence.css", "/static/print.js"];
/* Pages kept for use offline once visited (the desk's reading form needs a signed-in visit);
 * "/" only as itself, the others with what follows their path. */
var OFFLINE_PAGES = ["/reportar", "/desk/lecturas"];
/* The newest answer of each map layer, kept under one key: offline, a view never asked before
 * still shows the systems last seen instead of an empty map. */
var LAST = "/offline/last/";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

/* Pages marked no-store (sign-in, my account, administration) hold private data: never kept. */
function keepable(response) {
  return response.ok && (response.headers.get("Cache-Control") || "").indexOf("no-store") < 0;
}

function lastKey(url) {
  if (url.pathname === "/map/data") return LAST + (url.searchParams.get("layer") || "systems");
  if (url.pathname === "/map/reports") return LAST + "reports";
  return null;
}

/* A page served from the cache says so: its "sin conexión" banner is shown. */
var BANNER = 'id="offline" class="offline" role="status" hidden';
function markedOffline(response) {
  if (!response || (response.headers.get("Content-Type") || "").indexOf("text/html") !== 0) return response;
  return response.text().then(function (html) {
    return new Response(html.replace(BANNER, 'id="offline" class="offline" role="status"'),
                        {status: response.status, headers: response.headers});
  });
}

function networkFirst(request, fallbackUrl) {
  var url = new URL(request.url), last = lastKey(url);
  return fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone(), second = last ? response.clone() : null;
      caches.open(CACHE).then(function (c) {
        c.put(request, copy);
        if (second) c.put(last, second);
      });
    }
    return response;
  }).catch(function () {
    return caches.match(request, {ignoreVary: true}).then(function (hit) {
      if (hit) return markedOffline(hit);
      var other = last || fallbackUrl;
      if (!other) return Response.error();
      return caches.match(other, {ignoreSearch: !last, ignoreVary: true}).then(function (again) {
        return again ? markedOffline(again) : Response.error();
      });
    });
  });
}

/* Cached copy at once; refreshed in the background (a cheap 304 when unchanged). */
function staleWhileRevalidate(request) {
  return caches.match(request).then(function (hit) {
    var refresh = fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (c) { c.put(request, copy); });
      }
      return response;
    });
    if (hit) { refresh.catch(function () {}); return hit; }
    return refresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/api/") === 0) return;
  if (request.mode === "navigate") {
    var fallback = url.pathname === "/" ? "/" :
                   OFFLINE_PAGES.filter(function (p) { return url.pathname.indexOf(p) === 0; })[0] || null;
    event.respondWith(networkFirst(request, fallback));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staleWhileRevalidate(request));
  } else if (url.pathname.indexOf("/map/") === 0) {
    event.respondWith(networkFirst(request, null));
  }
});

/* A page asks to be kept for offline use (a signed-in page cannot be fetched at install). */
self.addEventListener("message", function (event) {
  var keep = event.data && event.data.keep;
  if (keep && OFFLINE_PAGES.indexOf(keep) >= 0) {
    event.waitUntil(caches.open(CACHE).then(function (c) { return c.add(keep); }).catch(function () {}));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "yaku-reports" || event.tag === "yaku-readings") {
    event.waitUntil(self.yakuQueue.flush());
  }
});
