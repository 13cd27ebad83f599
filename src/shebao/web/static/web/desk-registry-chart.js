// The individual account's balance over the years: a line chart drawn by the vendored
// Chart.js from the page's JSON (json_script); the table beside it has the same figures.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("account-chart-data");
    var canvas = document.getElementById("account-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.years,
        datasets: [
          {
            label: data.label,
            data: data.balances,
            borderColor: "#b3261e",
            backgroundColor: "rgba(179, 38, 30, 0.15)",
            fill: true,
            tension: 0.2,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true } },
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
