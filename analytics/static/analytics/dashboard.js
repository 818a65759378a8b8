/* Draws the dashboard's charts with the vendored Chart.js (no CDN). Without JavaScript the
   tables under each chart show the same numbers. When every chart is drawn, the page's root
   element gets data-analytics-charts="ready" (the browser test waits for it). */
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  var palette = ["#417690", "#79aec8", "#e0a800", "#28a745", "#ba2121", "#6f42c1", "#fd7e14", "#20c997", "#6c757d", "#343a40"];
  var statusColours = {
    pending: "#e0a800", paid: "#417690", shipped: "#79aec8", delivered: "#28a745",
    cancelled: "#ba2121", payment_failed: "#6c757d"
  };

  function draw() {
    var source = document.getElementById("analytics-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var text = cssVar("--body-fg", "#333");
    var grid = cssVar("--hairline-color", "#e8e8e8");
    Chart.defaults.color = text;
    Chart.defaults.borderColor = grid;
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    var money = new Intl.NumberFormat(undefined, { style: "currency", currency: data.currency });

    document.querySelectorAll(".analytics-chart").forEach(function (box) { box.hidden = false; });
    document.querySelectorAll("details.analytics-data").forEach(function (details) { details.open = false; });

    var charts = [];
    charts.push(new Chart(document.getElementById("chart-days"), {
      type: "line",
      data: {
        labels: data.days.labels,
        datasets: [
          { label: "Revenue", data: data.days.revenue, yAxisID: "revenue", borderColor: palette[0],
            backgroundColor: palette[0], tension: 0.2, pointRadius: 2 },
          { label: "Shipping", data: data.days.shipping, yAxisID: "revenue", borderColor: palette[1],
            backgroundColor: palette[1], borderDash: [4, 3], borderWidth: 1.5, tension: 0.2, pointRadius: 0 },
          { label: "Tax", data: data.days.tax, yAxisID: "revenue", borderColor: palette[5],
            backgroundColor: palette[5], borderDash: [4, 3], borderWidth: 1.5, tension: 0.2, pointRadius: 0 },
          { label: "Orders", data: data.days.orders, yAxisID: "orders", borderColor: palette[2],
            backgroundColor: palette[2], tension: 0.2, pointRadius: 2 }
        ]
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          revenue: { position: "left", beginAtZero: true, ticks: { callback: function (v) { return money.format(v); } } },
          orders: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 } }
        }
      }
    }));
    charts.push(new Chart(document.getElementById("chart-status"), {
      type: "doughnut",
      data: {
        labels: data.statuses.labels,
        datasets: [{ data: data.statuses.orders,
          backgroundColor: data.statuses.keys.map(function (k) { return statusColours[k] || "#999"; }) }]
      },
      options: { plugins: { legend: { position: "right" } } }
    }));
    function bars(id, chartData, label, isMoney, colour) {
      return new Chart(document.getElementById(id), {
        type: "bar",
        data: { labels: chartData.labels, datasets: [{ label: label, data: chartData.values, backgroundColor: colour }] },
        options: {
          indexAxis: "y",
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: isMoney ? { callback: function (v) { return money.format(v); } } : { precision: 0 } } }
        }
      });
    }
    charts.push(bars("chart-categories", data.categories, "Revenue", true, palette[5]));
    charts.push(bars("chart-top-revenue", data.topRevenue, "Revenue", true, palette[0]));
    charts.push(bars("chart-top-units", data.topUnits, "Units", false, palette[3]));
    window.analyticsCharts = charts;
    document.documentElement.dataset.analyticsCharts = "ready";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
