// Small behaviours every page may use, as data attributes instead of inline handlers (the
// Content-Security-Policy allows no inline script, so onclick="…" would not run).
//   data-confirm="Question?"  on a button or form: ask before submitting.
//   data-select-all="name"    on a checkbox: tick or untick every input[name=name] with it.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  document.querySelectorAll(`input[name="${all.dataset.selectAll}"]`).forEach((box) => {
    box.checked = all.checked;
  });
});
//   data-select-on-click      on an input: select its text when clicked (e.g. a link to copy).
document.addEventListener("click", (event) => {
  const input = event.target.closest("input[data-select-on-click]");
  if (input) input.select();
});
