// Draws every chart on the page: each [data-chart] element names the JSON script holding its
// Vega-Lite spec. `ast: true` makes vega use its expression interpreter, so the page needs no
// eval and the Content-Security-Policy can forbid it.
function drawCharts(root) {
  root.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || el.dataset.drawn) return;
    el.dataset.drawn = "1";
    vegaEmbed(el, JSON.parse(source.textContent), {
      ast: true, actions: false, renderer: "svg", defaultStyle: false,
    }).catch(function (err) {
      el.textContent = "The chart could not be drawn: " + err;
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
// Content swapped in by htmx (the cost calculator's results) brings new charts: draw them too.
document.addEventListener("htmx:load", function (event) { drawCharts(event.detail.elt); });
