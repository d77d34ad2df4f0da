// Recomputes the total and the veto while a person scores; the server recomputes on save anyway.
(function () {
  var form = document.getElementById("score-form");
  if (!form) return;
  var passMark = parseFloat(form.dataset.passMark);

  function recompute() {
    var total = 0, veto = false;
    form.querySelectorAll("tr[data-kind]").forEach(function (row) {
      var kind = row.dataset.kind, input = row.querySelector(".js-score"), fixed = row.querySelector(".js-value");
      var value = fixed ? parseFloat(fixed.dataset.value) : (input && input.value !== "" ? parseFloat(input.value) : NaN);
      if (isNaN(value)) return;
      if (kind === "veto") { veto = veto || value === 1; return; }
      if (kind === "deduction") { total -= value * parseFloat(row.dataset.per); return; }
      var max = parseFloat(row.dataset.max);
      if (input) input.setCustomValidity(value < 0 || value > max ? "得分应在 0 至 " + max + " 分之间" : "");
      total += Math.min(Math.max(value, 0), max);
    });
    total = Math.max(total, 0);
    document.getElementById("live-total").textContent = (Math.round(total * 10) / 10).toString();
    document.getElementById("live-veto").hidden = !veto;
    document.getElementById("live-verdict").textContent =
      veto ? "（存在一票否决项，评估不通过）" : (total >= passMark ? "（达到合格分）" : "（未达合格分 " + passMark + "）");
  }
  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
  recompute();
})();
