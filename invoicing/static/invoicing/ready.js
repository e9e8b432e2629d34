// Ready to Export: select all and the Export button's count (static: the CSP allows no inline script).
(function () {
  var form = document.getElementById("export-form");
  var all = document.getElementById("select-all");
  var button = document.getElementById("export-selected");
  var label = document.getElementById("selected-count");
  var waiting = label.textContent;
  function boxes() { return Array.prototype.slice.call(form.querySelectorAll('input[name="invoice"]')); }
  function sync() {
    var n = boxes().filter(function (b) { return b.checked; }).length;
    button.disabled = n === 0;
    button.textContent = n ? "Export " + n + " selected" : "Export";
    label.textContent = n ? n + " selected" : waiting;
    all.checked = n > 0 && n === boxes().length;
    all.indeterminate = n > 0 && n < boxes().length;
  }
  all.addEventListener("change", function () { boxes().forEach(function (b) { b.checked = all.checked; }); sync(); });
  form.addEventListener("change", function (e) { if (e.target.name === "invoice") { sync(); } });
  sync();
})();
