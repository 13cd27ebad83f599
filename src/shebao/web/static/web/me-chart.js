// The person's individual account by year: contributions and interest credited (bars)
// and the balance at the end of each year (a line), drawn by the vendored Chart.js from
// the page's JSON (json_script); the table below the chart has the same figures.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("me-account-chart-data");
    var canvas = document.getElementById("me-account-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      data: {
        labels: data.years,
        datasets: [
          {
            type: "bar",
            label: data.labels.contributions,
            data: data.contributions,
            backgroundColor: "#1f5fa8",
            stack: "credited",
          },
          {
            type: "bar",
            label: data.labels.interest,
            data: data.interest,
            backgroundColor: "#e0a100",
            stack: "credited",
          },
          {
            type: "line",
            label: data.labels.balance,
            data: data.balances,
            borderColor: "#b3261e",
            backgroundColor: "#b3261e",
            tension: 0.2,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: true }, y: { beginAtZero: true } },
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
