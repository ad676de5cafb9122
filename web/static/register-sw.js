/* The service worker keeps the pages and assets for use without connection; the banner says
 * so when there is none ("sin conexión"), on every page. */
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    /* after the first view is up: on 2G the page itself comes first */
    setTimeout(function () {
      navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {});
    }, 1500);
  });
}
(function () {
  "use strict";
  /* The service worker also unhides it in pages it serves from its cache (sw.js), since a
   * phone on a dead network often still says it is online. */
  var banner = document.getElementById("offline");
  if (!banner) return;
  window.addEventListener("online", function () { banner.hidden = true; });
  window.addEventListener("offline", function () { banner.hidden = false; });
  if (navigator.onLine === false) banner.hidden = false;
})();
