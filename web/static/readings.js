/* The operator's reading form: one round of samples of one system, queued in the outbox
 * (queue.js) with its idempotency key before anything is sent, so a round typed without
 * signal is sent once, later, by this page or by the service worker. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("yaku-readings-config").textContent);
  var t = cfg.t, form = document.getElementById("readings-form");
  var statusBox = document.getElementById("status");
  var KIND = "readings", URL = "/api/v1/readings";

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  function say(text, kind) {
    statusBox.textContent = "";
    if (text) statusBox.appendChild(el("p", "notice " + (kind || ""), text));
  }

  /* Now, as Peru's clock shows it (whatever zone the phone is set to). */
  function peruNow() {
    return new Date(Date.now() - 5 * 3600 * 1000).toISOString().slice(0, 16);
  }

  /* "2026-05-04T08:30" typed on the phone is Peru time (UTC-5, no summer time). */
  function peruTime(value) { return value.length === 16 ? value + ":00-05:00" : value; }

  function number(input) {
    var v = input.value.trim().replace(",", ".");
    return v === "" || !isFinite(+v) ? null : +v;
  }

  function sampleOf(fieldset, at) {
    var get = function (name) { return fieldset.querySelector("[name=" + name + "]"); };
    var point = get("sample_point").value, measurements = [];
    [["free_chlorine", "mg/L"], ["turbidity", "NTU"], ["ph", ""]].forEach(function (p) {
      var v = number(get(p[0]));
      if (v !== null) measurements.push({parameter: p[0], value: v, unit: p[1]});
    });
    var bacteria = get("bacteria").value;
    if (bacteria) {
      var parts = bacteria.split(":");
      measurements.push({parameter: parts[0], present: parts[1] === "true"});
    }
    if (!measurements.length) return null;
    var hasChlorine = measurements.some(function (m) { return m.parameter === "free_chlorine"; });
    if (!hasChlorine && point !== "source") return false;
    return {sample_point: point, sampled_at: peruTime(at), measurements: measurements};
  }

  function payloadFromForm() {
    var system = document.getElementById("system").value.trim();
    if (!system) { say(t.need_system, "err"); return null; }
    var at = document.getElementById("sampled-at").value;
    if (!at) { say(t.need_time, "err"); return null; }
    var readings = [], bad = false;
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.sample"), function (fs) {
      var s = sampleOf(fs, at);
      if (s === false) bad = true; else if (s) readings.push(s);
    });
    if (bad || !readings.length) { say(t.need_reading, "err"); return null; }
    return {system: system, readings: readings};
  }

  function showOutbox() {
    return yakuQueue.all(KIND).then(function (items) {
      var box = document.getElementById("outbox"), list = document.getElementById("outbox-list");
      list.textContent = "";
      items.sort(function (a, b) { return b.created - a.created; });
      items.slice(0, 10).forEach(function (item) {
        var li = el("li", "outbox-" + item.state);
        li.appendChild(el("span", null, item.payload.system + " · " +
          new Date(item.created).toLocaleString(cfg.language) + " · " +
          item.payload.readings.length + " " + t.samples + " · "));
        if (item.state === "sent") {
          var stored = item.answer && item.answer.readings ? item.answer.readings.length : 0;
          li.appendChild(el("span", null, t.sent + " " + stored));
        } else if (item.state === "rejected") {
          li.appendChild(el("span", null, t.rejected + " " + item.error));
        } else if (item.waiting) {
          li.appendChild(el("strong", null, t.sign_in + " " + item.waiting));
        } else {
          li.appendChild(el("strong", null, t.pending));
        }
        list.appendChild(li);
      });
      box.hidden = items.length === 0;
      return items;
    });
  }

  function flush() {
    return yakuQueue.flush({kind: KIND, headers: {"X-CSRF-Token": cfg.csrf}});
  }

  function flushAndShow() { return flush().then(showOutbox); }

  function renumber() {
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.sample"), function (fs, i) {
      fs.querySelector(".sample-number").textContent = String(i + 1);
    });
  }

  if (form) {
    document.getElementById("sampled-at").value = peruNow();
    document.getElementById("add-sample").addEventListener("click", function () {
      var samples = document.getElementById("samples");
      var copy = samples.querySelector("fieldset.sample").cloneNode(true);
      Array.prototype.forEach.call(copy.querySelectorAll("input"), function (i) { i.value = ""; });
      copy.querySelector("[name=bacteria]").value = "";
      samples.appendChild(copy);
      renumber();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var payload = payloadFromForm();
      if (!payload) return;
      var button = document.getElementById("send");
      button.disabled = true;
      say(t.sending);
      var key = yakuQueue.newKey();
      var item = {key: key, kind: KIND, url: URL, headers: {"X-CSRF-Token": cfg.csrf},
                  payload: payload, created: Date.now(), state: "pending"};
      yakuQueue.put(item).then(function () {
        Array.prototype.forEach.call(form.querySelectorAll("fieldset.sample input"),
                                     function (i) { i.value = ""; });
        return flush();
      }).then(function () { return yakuQueue.all(KIND); }).then(function (items) {
        var mine = items.filter(function (i) { return i.key === key; })[0];
        if (mine && mine.state === "sent") {
          say(t.sent + " " + mine.answer.readings.length, "ok");
        } else if (mine && mine.state === "rejected") {
          say(t.rejected + " " + mine.error, "err");
        } else {
          say(t.saved_offline);
          if (navigator.serviceWorker && navigator.serviceWorker.ready && window.SyncManager) {
            navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register("yaku-readings"); })
              .catch(function () {});
          }
        }
      }).then(showOutbox).finally(function () { button.disabled = false; });
    });
  }

  /* Keep this form for use without signal (the service worker cannot fetch it at install:
   * it needs the signed-in session). */
  if (navigator.serviceWorker && navigator.onLine) {
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({keep: "/desk/lecturas"});
    }).catch(function () {});
  }

  window.addEventListener("online", flushAndShow);
  setInterval(function () { if (navigator.onLine) flushAndShow(); }, 20000);
  window.yakuFlushReadings = flushAndShow;
  flushAndShow();
})();
