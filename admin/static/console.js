// The console's small script: idle sign-out, trend charts (ECharts), printing.
// Pages work without it; it only adds what a server-rendered page cannot do by itself.
(function () {
  "use strict";

  function idleSignOut() {
    var seconds = parseInt(document.body.dataset.idleSeconds || "0", 10);
    var form = document.getElementById("logout-form");
    if (!seconds || !form) { return; }
    var warning = document.getElementById("idle-warning");
    var warnAt = Math.max(seconds - 60, 1) * 1000;
    // The server ends the session after `seconds` without a request; say so a minute before,
    // then sign out here too so the page does not stay on screen with a person's data.
    window.setTimeout(function () { if (warning) { warning.hidden = false; } }, warnAt);
    window.setTimeout(function () {
      document.getElementById("logout-reason").value = "idle";
      form.submit();
    }, seconds * 1000);
    var stay = document.getElementById("idle-stay");
    if (stay) { stay.addEventListener("click", function () { window.location.reload(); }); }
  }

  function drawTrends() {
    var figures = document.querySelectorAll("[data-trend]");
    if (!figures.length) { return; }
    if (typeof window.echarts === "undefined") { return; }
    figures.forEach(function (figure) {
      var data = JSON.parse(figure.querySelector("script[type='application/json']").textContent);
      var chartEl = figure.querySelector(".chart");
      var chart = window.echarts.init(chartEl, null, { renderer: "canvas" });
      var band = [];
      if (data.low !== null || data.high !== null) {
        band = [[{ yAxis: data.low === null ? 0 : data.low, itemStyle: { color: "rgba(30,107,58,0.12)" } },
                 { yAxis: data.high === null ? "max" : data.high }]];
      }
      chart.setOption({
        animation: false,
        grid: { left: 48, right: 16, top: 24, bottom: 32 },
        tooltip: { trigger: "axis", renderMode: "richText" },
        xAxis: { type: "category", data: data.dates },
        yAxis: { type: "value", name: data.unit, scale: true },
        series: [{
          name: data.name, type: "line", data: data.points, symbolSize: 8,
          itemStyle: { color: "#0b5cad" },
          markArea: { silent: true, data: band }
        }]
      });
      chartEl.dataset.drawn = "true";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function printing() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    idleSignOut();
    drawTrends();
    printing();
  });
})();
