// PHOS inspections: enhancements of the checklist page, which works without this file.
// - registers the service worker that keeps the pages for offline use;
// - a signature canvas (the drawn signature is sent as a PNG beside the typed name);
// - offline: the filled form is queued in localStorage and sent to the JSON API
//   (/api/v1/regulatory/inspections/{id}/record) when the browser is back online. The
//   submission id in the form makes a re-sync record once.
(function () {
  "use strict";
  var QUEUE = "phos-reg-inspect-queue";

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/staff/regulatory/inspections/sw.js", { scope: "/staff/regulatory/inspections/" })
      .catch(function () { /* the page works without it */ });
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); }

  function say(text) {
    var region = document.getElementById("sync-status");
    if (region) { region.hidden = false; region.textContent = text; }
  }
  function text(name) {
    var region = document.getElementById("sync-status");
    return (region && region.getAttribute("data-" + name)) || "";
  }

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () { resolve({ name: file.name, data: String(r.result).split(",")[1] || "" }); };
      r.onerror = function () { reject(r.error); };
      r.readAsDataURL(file);
    });
  }

  function collect(form) {
    var items = [];
    form.querySelectorAll("[data-item]").forEach(function (fs) {
      var code = fs.getAttribute("data-item");
      var checked = form.querySelector('input[name="item-' + code + '"]:checked');
      var note = form.querySelector('[name="note-' + code + '"]');
      if (checked || (note && note.value)) {
        items.push({ item: code, result: checked ? checked.value : "", note: note ? note.value : "" });
      }
    });
    var outcome = form.querySelector('input[name="outcome"]:checked');
    var files = form.querySelector('input[name="photos"]');
    var reads = files && files.files ? Array.prototype.map.call(files.files, readFile) : [];
    return Promise.all(reads).then(function (photos) {
      return {
        submission_id: form.elements.submission_id.value,
        recorded_at: Date.now(),
        items: items,
        outcome: outcome ? outcome.value : "",
        signed_by: form.elements.signed_by.value,
        signature_png: form.elements.signature_png ? form.elements.signature_png.value : "",
        late: !!(form.elements.late && form.elements.late.checked),
        late_reason: form.elements.late_reason ? form.elements.late_reason.value : "",
        photos: photos
      };
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) { return Promise.resolve(); }
    var queue = load().filter(function (e) { return !e.failed; });
    if (!queue.length) { return Promise.resolve(); }
    flushing = true;
    var entry = queue[0];
    return fetch(entry.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "accept": "application/json", "x-csrf-token": entry.csrf },
      body: JSON.stringify(entry.body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (problem) {
        var rest = load().filter(function (e) { return e.body.submission_id !== entry.body.submission_id; });
        if (res.ok) {
          save(rest);
          say(text("synced"));
          document.documentElement.setAttribute("data-sync", "synced");
        } else if (res.status >= 400 && res.status < 500) {
          // Refused (bad input, already recorded, too large): kept on the device, marked, and
          // not sent again, so that nothing the inspector wrote is lost.
          var all = load();
          all.forEach(function (e) { if (e.body.submission_id === entry.body.submission_id) { e.failed = res.status; } });
          save(all);
          var zh = document.documentElement.lang.indexOf("zh") === 0;
          var msgs = (problem.errors || []).map(function (e) { return zh ? e.message["zh-Hant-HK"] : e.message.en; });
          say(text("failed") + " " + msgs.join(" "));
          document.documentElement.setAttribute("data-sync", "failed");
        }
      });
    }).catch(function () { /* still offline: keep it */ })
      .then(function () {
        flushing = false;
        var left = load().filter(function (e) { return !e.failed; });
        if (left.length && left[0].body.submission_id !== entry.body.submission_id && navigator.onLine) { return flush(); }
      });
  }

  function signaturePad(form) {
    var box = document.getElementById("signature-pad");
    var hidden = form.elements.signature_png;
    if (!box || !hidden || !box.getContext) { return; }
    box.hidden = false;
    var parent = box.closest("[data-signature]");
    if (parent) { parent.hidden = false; }
    var ctx = box.getContext("2d");
    ctx.lineWidth = 2; ctx.lineCap = "round"; ctx.strokeStyle = "#0b0c0c";
    var drawing = false, drawn = false;
    function pos(e) { var r = box.getBoundingClientRect(); return { x: e.clientX - r.left, y: e.clientY - r.top }; }
    box.addEventListener("pointerdown", function (e) { drawing = true; var p = pos(e); ctx.beginPath(); ctx.moveTo(p.x, p.y); box.setPointerCapture(e.pointerId); });
    box.addEventListener("pointermove", function (e) { if (!drawing) { return; } var p = pos(e); ctx.lineTo(p.x, p.y); ctx.stroke(); drawn = true; });
    box.addEventListener("pointerup", function () { drawing = false; if (drawn) { hidden.value = box.toDataURL("image/png"); } });
    var clear = document.getElementById("signature-clear");
    if (clear) {
      clear.addEventListener("click", function () { ctx.clearRect(0, 0, box.width, box.height); drawn = false; hidden.value = ""; });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-offline-record]");
    if (form) {
      signaturePad(form);
      form.addEventListener("submit", function (e) {
        if (navigator.onLine) { return; } // the ordinary form post
        e.preventDefault();
        collect(form).then(function (body) {
          var q = load().filter(function (x) { return x.body.submission_id !== body.submission_id; });
          q.push({ url: form.getAttribute("data-offline-record"), csrf: form.elements.csrf.value, body: body });
          save(q);
          say(text("queued"));
          document.documentElement.setAttribute("data-sync", "queued");
        });
      });
    }
    window.addEventListener("online", flush);
    flush();
  });
})();
