/* The map's search box and "near me". Search is answered by the server (/api/v1/search), so
 * nothing but the answer travels; the location is asked for only when "near me" is tapped. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function start() {
    var api = window.yakuMapApi, map = window.yakuMap;
    var form = document.getElementById("find-form");
    if (!api || !map || !form || form.yakuReady) return;
    form.yakuReady = true;
    var t = api.t, input = document.getElementById("find-q");
    var nearButton = document.getElementById("find-near"), box = document.getElementById("find-results");
    var timer = null, ticket = 0, hereMarker = null;

    function show(nodes) {
      box.textContent = "";
      if (!nodes.length) { box.hidden = true; return; }
      var close = el("button", "find-close", "×");
      close.type = "button";
      close.setAttribute("aria-label", t.close);
      close.addEventListener("click", function () { box.hidden = true; input.focus(); });
      box.appendChild(close);
      nodes.forEach(function (n) { box.appendChild(n); });
      box.hidden = false;
    }

    function say(text) { show([el("p", "find-note", text)]); }

    function distance(m) {
      if (m < 1000) return t.metres.replace("{n}", String(Math.round(m / 10) * 10));
      return t.kilometres.replace("{n}", (m / 1000).toLocaleString(t.lang, {maximumFractionDigits: 1}));
    }

    function go(item) {
      box.hidden = true;
      if (item.kind === "system" || item.kind === "source") api.openCode(item.code, item.lat, item.lon);
      else if (item.bbox) map.fitBounds([[item.bbox[1], item.bbox[0]], [item.bbox[3], item.bbox[2]]], {animate: false});
      else map.setView([item.lat, item.lon], 13, {animate: false});
    }

    function itemButton(item, extra) {
      var b = el("button", "find-item");
      b.type = "button";
      if (item.status) {
        b.appendChild(api.shapeSvg(api.shapes, item.status, 22));
        b.setAttribute("data-status", item.status);
      }
      var text = el("span", "find-text");
      text.appendChild(el("strong", null, item.name));
      var detail = [];
      if (item.kind !== "system") detail.push(t.kinds[item.kind] || item.kind);
      /* the community the person typed, when the system's name does not say it already */
      if (item.community && item.name.toLowerCase().indexOf(item.community.toLowerCase()) < 0) detail.push(item.community);
      if (item.district) detail.push(t.in_district.replace("{name}", item.district));
      else if (item.province) detail.push(item.province);
      if (item.status) detail.push(api.statusWord(item.status));
      if (item.alert) detail.push(t.alert);
      if (extra) detail.unshift(extra);
      text.appendChild(el("span", "find-detail", detail.join(" · ")));
      b.appendChild(text);
      b.addEventListener("click", function () { go(item); });
      var li = el("li");
      li.appendChild(b);
      return li;
    }

    function search(q, now) {
      clearTimeout(timer);
      q = q.trim();
      if (q.length < 2) { box.hidden = true; return; }
      timer = setTimeout(function () {
        var mine = ++ticket;
        say(t.searching);
        fetch("/api/v1/search?limit=8&q=" + encodeURIComponent(q))
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (d) {
            if (mine !== ticket) return;
            if (!d.items.length) { say(t.search_none); return; }
            var list = el("ul", "find-list");
            d.items.forEach(function (item) { list.appendChild(itemButton(item)); });
            var nodes = [list];
            if (d.more) nodes.push(el("p", "find-note", t.search_more));
            show(nodes);
          })
          .catch(function () { if (mine === ticket) say(t.search_offline); });
      }, now ? 0 : 350);
    }

    input.addEventListener("input", function () { search(input.value, false); });
    form.addEventListener("submit", function (event) { event.preventDefault(); search(input.value, true); });
    input.addEventListener("keydown", function (event) { if (event.key === "Escape") box.hidden = true; });

    nearButton.addEventListener("click", function () {
      if (!navigator.geolocation) { say(t.near_denied); return; }
      say(t.near_wait);
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lat = pos.coords.latitude, lon = pos.coords.longitude;
        if (hereMarker) map.removeLayer(hereMarker);
        hereMarker = L.marker([lat, lon], {
          icon: L.divIcon({className: "yaku-here", html: el("span", null, ""), iconSize: [22, 22]}),
          title: t.you_are_here, alt: t.you_are_here, keyboard: false
        }).addTo(map);
        map.setView([lat, lon], 15, {animate: false});
        fetch("/api/v1/nearby?lon=" + lon.toFixed(6) + "&lat=" + lat.toFixed(6))
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (d) {
            var list = el("ul", "find-list find-near");
            d.items.forEach(function (item) {
              var where = distance(item.distance_m) +
                (item.direction ? " " + t.towards.replace("{direction}", t.directions[item.direction]) : "");
              list.appendChild(itemButton(item, where));
            });
            show([el("h2", "find-title", t.near_title), list]);
          })
          .catch(function () { say(t.search_offline); });
      }, function () { say(t.near_denied); }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
    });
  }

  if (window.yakuMapApi) start();
  else document.addEventListener("yaku:map-ready", start);
})();
