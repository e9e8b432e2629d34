// The Raise invoices page (a static file: the Content-Security-Policy allows no inline script).
(function () {
  // Ticking a customer sends the customer (all its completed jobs), never one field per job:
  // its job boxes are ticked for the eye but disabled, so the browser does not post them.
  var form = document.getElementById("raise-form");
  var count = document.getElementById("raise-count");
  form.addEventListener("change", function (e) {
    var id = e.target.getAttribute("data-customer");
    if (id) {
      form.querySelectorAll('input[data-of="' + id + '"]').forEach(function (b) {
        if (b.hasAttribute("data-no-charges")) { return; }
        b.checked = e.target.checked;
        b.disabled = e.target.checked;
      });
    }
    var n = 0;
    form.querySelectorAll('input[name="customer"]:checked').forEach(function (c) { n += parseInt(c.getAttribute("data-jobs"), 10) || 0; });
    n += form.querySelectorAll('input[name="job"]:checked:not(:disabled)').length;
    count.textContent = n ? n + " job" + (n === 1 ? "" : "s") + " selected" : "Select jobs or whole customers";
  });
  form.querySelectorAll('input[name="job"]:disabled').forEach(function (b) { b.setAttribute("data-no-charges", ""); });
})();
