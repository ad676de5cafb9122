/* Yaku desk: the small map of my systems, and the answer form (templates, extra fields).
 * Data goes into the page with textContent and attributes only, never as HTML. */
(function () {
  "use strict";
  var HEX = {green: "#1a9641", yellow: "#e6b800", red: "#d7191c", grey: "#8a8a8a"};

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function deskMap(box) {
    if (!window.L || !window.fetch) { box.hidden = true; return; }
    var map = L.map(box, {zoomControl: true, attributionControl: !!box.dataset.tiles});
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, {attribution: box.dataset.attribution, maxZoom: 18}).addTo(map);
    }
    map.setView([-7.9, -78.5], 7);
    fetch(box.dataset.url, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var points = [];
        data.features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates;
          var marker = L.circleMarker([c[1], c[0]], {
            radius: p.open_reports ? 9 : 6, weight: p.alert ? 4 : 2,
            color: p.overdue_reports ? "#5b2a86" : "#1b1b1b",
            fillColor: HEX[p.status] || HEX.grey, fillOpacity: 0.9
          });
          var pop = el("div");
          pop.appendChild(el("strong", p.name));
          pop.appendChild(el("div", p.code));
          pop.appendChild(el("div", box.dataset.open + ": " + p.open_reports));
          if (p.overdue_reports) pop.appendChild(el("div", box.dataset.overdue + ": " + p.overdue_reports));
          if (p.alert) pop.appendChild(el("div", box.dataset.alert));
          var link = el("a", box.dataset.open);
          link.setAttribute("href", "/desk?system=" + encodeURIComponent(p.code));
          pop.appendChild(link);
          marker.bindPopup(pop);
          marker.addTo(map);
          points.push([c[1], c[0]]);
        });
        if (points.length) map.fitBounds(points, {padding: [20, 20], maxZoom: 13});
        box.dataset.loaded = String(points.length);
      })
      .catch(function () { box.dataset.loaded = "error"; });
  }

  function answerForm(form) {
    var note = form.querySelector("textarea[name=note]");
    var filled = "";
    function chosen() {
      var input = form.querySelector("input[name=action]:checked");
      return input ? input : null;
    }
    function update() {
      var input = chosen();
      var action = input ? input.value : "";
      Array.prototype.forEach.call(form.querySelectorAll(".desk-extra"), function (box) {
        box.hidden = box.getAttribute("data-for") !== action;
      });
      /* Pre-fill the action's template unless the person already wrote their own text. */
      if (note && input && (note.value === "" || note.value === filled)) {
        filled = input.getAttribute("data-template") || "";
        note.value = filled;
      }
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[name=action]"), function (input) {
      input.addEventListener("change", update);
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("desk-map");
    if (box) deskMap(box);
    var form = document.getElementById("answer-form");
    if (form) answerForm(form);
  });
})();
