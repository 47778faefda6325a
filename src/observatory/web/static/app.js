// Charts: a figure's data sits in a JSON block beside it (no inline script, so the page's
// Content-Security-Policy can forbid them); clicking a bar opens the spend lines behind it.
(function () {
  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source || el.dataset.drawn) return;
      var figure = JSON.parse(source.textContent);
      el.dataset.drawn = "1";
      Plotly.newPlot(el, figure.data, figure.layout, { displaylogo: false, responsive: true });
      var drill = el.getAttribute("data-drill");
      if (drill) {
        el.on("plotly_click", function (event) {
          var p = event.points[0];
          var params = new URLSearchParams({ organisation: p.data.name, month: p.x });
          window.location.href = drill + "?" + params.toString();
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("load", draw);
})();
