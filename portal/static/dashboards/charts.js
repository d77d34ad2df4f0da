/* Dashboard charts (issue #15 §5): each <figure data-chart> holds a table of figures whose cells
   link to the filtered list. This script draws the table with the vendored Apache ECharts and makes
   each bar, point or slice open the same link. No inline script, no CDN; without JavaScript the
   table is the chart. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var palette = ["#1f5fa8", "#d4380d", "#389e0d", "#d48806", "#722ed1", "#08979c", "#c41d7f", "#595959"];
  function read(figure) {
    var table = figure.querySelector("table");
    var series = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    }).slice(1);
    var labels = [], values = series.map(function () { return []; }), links = series.map(function () { return []; });
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
      var head = tr.querySelector("th");
      if (!head) { return; }
      labels.push(head.textContent.trim());
      Array.prototype.forEach.call(tr.querySelectorAll("td a"), function (a, i) {
        values[i].push(Number(a.getAttribute("data-value")) || 0);
        links[i].push(a.getAttribute("href"));
      });
    });
    return {series: series, labels: labels, values: values, links: links};
  }
  function option(kind, d) {
    if (kind === "pie") {
      return {color: palette, tooltip: {trigger: "item"}, legend: {bottom: 0, type: "scroll"},
        series: [{type: "pie", radius: ["35%", "65%"], data: d.labels.map(function (l, i) {
          return {name: l, value: d.values[0][i]};
        })}]};
    }
    return {color: palette, tooltip: {trigger: "axis"}, legend: {show: d.series.length > 1, bottom: 0},
      grid: {left: 40, right: 16, top: 16, bottom: d.series.length > 1 ? 56 : 40, containLabel: true},
      xAxis: {type: "category", data: d.labels, axisLabel: {interval: 0, rotate: d.labels.length > 6 ? 30 : 0}},
      yAxis: {type: "value", minInterval: 1},
      series: d.series.map(function (name, i) {
        return {name: name, type: kind === "line" ? "line" : "bar", stack: kind === "stacked" ? "all" : undefined,
          data: d.values[i], smooth: kind === "line"};
      })};
  }
  function draw(figure) {
    var canvas = figure.querySelector(".chart-canvas");
    var d = read(figure);
    if (!canvas || !d.labels.length) { return; }
    canvas.classList.add("is-drawn");
    var chart = window.echarts.init(canvas, null, {renderer: "canvas"});
    chart.setOption(option(figure.getAttribute("data-chart"), d));
    chart.on("click", function (p) {
      var link = (d.links[p.seriesIndex] || d.links[0])[p.dataIndex];
      if (link) { window.location.href = link; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function start() { Array.prototype.forEach.call(document.querySelectorAll("figure[data-chart]"), draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
