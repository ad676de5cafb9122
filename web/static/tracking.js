/* The tracking page refreshes itself: it asks the server for the same page now and then (a
 * cheap 304 while nothing changed) and swaps the report's part when a body has answered. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch || !window.DOMParser) return;
  var news = document.getElementById("live-news");
  var seconds = Math.max(2, +live.getAttribute("data-refresh") || 30);
  var busy = false;

  function check() {
    if (busy || document.hidden || navigator.onLine === false) return;
    busy = true;
    fetch(location.pathname + location.search, {cache: "no-cache", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        if (!fresh || fresh.getAttribute("data-version") === live.getAttribute("data-version")) return;
        /* the server's own page, rendered (and escaped) by the same template */
        var node = document.importNode(fresh, true);
        live.parentNode.replaceChild(node, live);
        live = node;
        var status = document.getElementById("report-status");
        if (news && status) news.textContent = status.textContent;
      })
      .catch(function () { /* offline: keep what is shown */ })
      .then(function () { busy = false; });
  }

  setInterval(check, seconds * 1000);
  document.addEventListener("visibilitychange", check);
  window.addEventListener("online", check);
})();
