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
  var banner = document.getElementById("offline");
  if (!banner) return;
  function show() { banner.hidden = navigator.onLine !== false; }
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();
})();
