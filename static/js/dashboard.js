// The leaders' dashboard charts, drawn by the vendored Chart.js (static/vendor/chartjs) from
// the figures the page carries in #dashboard-data. The tables beside them hold the same
// figures, so the page reads without JavaScript too.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var css = getComputedStyle(document.documentElement);
  var figureColours = {
    found: css.getPropertyValue("--bs-primary").trim() || "#0d6efd",
    closed: css.getPropertyValue("--bs-success").trim() || "#198754",
    overdue: css.getPropertyValue("--bs-danger").trim() || "#dc3545"
  };
  var palette = ["#1f6f4a", "#0d6efd", "#d63384", "#fd7e14", "#6f42c1", "#20c997", "#6c757d",
    "#ffc107", "#0dcaf0", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

  function figureName(figure) {
    var button = document.querySelector("[data-chart-switch] [data-figure='" + figure + "']");
    return button ? button.textContent.trim() : figure;
  }

  var options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
  };

  var charts = {};
  var scopeCanvas = document.getElementById("chart-scope");
  if (scopeCanvas) {
    charts.scope = new window.Chart(scopeCanvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.figures.map(function (figure) {
          return { label: figureName(figure), data: data.scope[figure], borderColor: figureColours[figure],
                   backgroundColor: figureColours[figure], tension: 0.25 };
        })
      },
      options: options
    });
  }

  function seriesDatasets(list, figure) {
    return list.map(function (series, index) {
      var colour = palette[index % palette.length];
      return { label: series.label, data: series[figure], borderColor: colour, backgroundColor: colour, tension: 0.25 };
    });
  }

  ["districts", "categories"].forEach(function (dimension) {
    var canvas = document.getElementById("chart-" + dimension);
    if (!canvas) { return; }
    charts[dimension] = new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: seriesDatasets(data[dimension], "found") },
      options: options
    });
    var group = document.querySelector("[data-chart-switch='" + dimension + "']");
    if (!group) { return; }
    group.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-figure]");
      if (!button) { return; }
      group.querySelectorAll("button").forEach(function (other) {
        var chosen = other === button;
        other.classList.toggle("active", chosen);
        other.setAttribute("aria-pressed", chosen ? "true" : "false");
      });
      charts[dimension].data.datasets = seriesDatasets(data[dimension], button.getAttribute("data-figure"));
      charts[dimension].update();
      canvas.setAttribute("data-figure", button.getAttribute("data-figure"));
    });
  });
  // The public channel's weeks (present only for whom the page shows its card): the series'
  // names come translated on the canvas.
  var publicCanvas = document.getElementById("chart-public");
  if (publicCanvas && data.public) {
    var publicColours = { received: figureColours.found, accepted: figureColours.closed };
    charts.public = new window.Chart(publicCanvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: ["received", "accepted"].map(function (figure) {
          return { label: publicCanvas.getAttribute("data-" + figure), data: data.public[figure],
                   backgroundColor: publicColours[figure], borderColor: publicColours[figure] };
        })
      },
      options: options
    });
  }
  document.documentElement.setAttribute("data-charts", Object.keys(charts).length);
})();
