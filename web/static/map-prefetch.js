/* Start loading the first view's systems while Leaflet downloads: the same view map.js will
 * show (the remembered one, or La Libertad fitted the way Leaflet fits it, in quarter zooms). */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.fetch) return;
  var b = JSON.parse(me.getAttribute("data-bounds"));
  var chrome = +me.getAttribute("data-chrome") || 0;
  var W = window.innerWidth, H = window.innerHeight - chrome;
  function my(lat) { var s = Math.sin(lat * Math.PI / 180); return Math.log((1 + s) / (1 - s)) / 2 * 180 / Math.PI; }
  var z, cx, cy, saved = null;
  try { saved = JSON.parse(localStorage.getItem("yaku-view") || "null"); } catch (e) { saved = null; }
  if (saved && isFinite(saved.zoom) && isFinite(saved.lat) && isFinite(saved.lng)) {
    z = saved.zoom; cx = saved.lng; cy = saved.lat;
  } else {
    /* Leaflet's getBoundsZoom with zoomSnap 0.25 (see web/map.py) */
    z = Math.log(Math.min(W * 360 / (256 * (b[2] - b[0])), H * 360 / (256 * (my(b[3]) - my(b[1]))))) / Math.LN2;
    z = Math.round(z / 0.0025) * 0.0025;
    z = Math.floor(z / 0.25) * 0.25;
    cx = (b[0] + b[2]) / 2; cy = (b[1] + b[3]) / 2;
  }
  z = Math.max(6, Math.min(18, z));
  var d = 360 / (256 * Math.pow(2, z));
  var box = [cx - W * d, cy - H * d, cx + W * d, cy + H * d];
  var url = "/map/data?layer=systems&bbox=" + box.map(function (v) { return v.toFixed(5); }).join(",") +
            "&zoom=" + Math.round(z);
  window.yakuPrefetch = {zoom: z, bbox: box, promise: fetch(url).then(function (r) { return r.json(); })};
})();
