/* The service worker keeps the pages and assets for use without connection. */
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    /* after the first view is up: on 2G the page itself comes first */
    setTimeout(function () {
      navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {});
    }, 1500);
  });
}
