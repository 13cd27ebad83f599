/* The dashboard's charts: each <canvas data-chart="ID"> is drawn with Chart.js from the
   JSON in the element of that id (Django's json_script). The table after each chart holds
   the same figures for screen readers; the canvas is hidden from them. */
(function () {
  "use strict";

  // Distinguishable colours (Okabe-Ito), dark enough against white.
  var COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];

  function readData(id) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function draw(canvas) {
    var spec = readData(canvas.getAttribute("data-chart"));
    if (!spec || !window.Chart) {
      return;
    }
    var locale = document.documentElement.lang || "zh-Hans";
    var horizontal = Boolean(spec.horizontal);
    var valueAxis = horizontal ? "x" : "y";
    var scales = {
      x: { stacked: Boolean(spec.stacked) },
      y: { stacked: Boolean(spec.stacked) }
    };
    scales[valueAxis].beginAtZero = true;
    if (!spec.money) {
      scales[valueAxis].ticks = { precision: 0 };
    }
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, index) {
          var colour = COLOURS[index % COLOURS.length];
          return {
            label: dataset.label,
            data: dataset.data.map(Number),
            backgroundColor: colour,
            borderColor: colour,
            maxBarThickness: 48
          };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        scales: scales,
        plugins: {
          legend: { display: spec.datasets.length > 1, position: "bottom" }
        }
      }
    });
  }

  function start() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i += 1) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
