// PHOS: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to an error summary so screen-reader users hear it first.
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }

    // Live regions: the server sends the region's new HTML over server-sent events whenever
    // it changes (queue tickets, the display board). Without JavaScript, a link refreshes.
    if (window.EventSource) {
      document.querySelectorAll("[data-live-src]").forEach(function (region) {
        var source = new EventSource(region.getAttribute("data-live-src"));
        source.addEventListener("update", function (e) {
          if (region.innerHTML !== e.data) { region.innerHTML = e.data; }
        });
        document.querySelectorAll("[data-live-hide]").forEach(function (el) { el.hidden = true; });
        source.addEventListener("error", function () {
          // The browser reconnects by itself; show the manual link meanwhile.
          document.querySelectorAll("[data-live-hide]").forEach(function (el) { el.hidden = false; });
        });
        source.addEventListener("open", function () {
          document.querySelectorAll("[data-live-hide]").forEach(function (el) { el.hidden = true; });
        });
      });
    }

    // Buttons that undo something ask first.
    document.querySelectorAll("button[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (e) {
        if (!window.confirm(button.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
  });
})();
