// "Add line" for the charge-line formset: clone the <template>, renumber __prefix__, bump TOTAL_FORMS.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const fieldset = button.closest("[data-formset-prefix]");
  const prefix = fieldset.dataset.formsetPrefix;
  const total = fieldset.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const index = parseInt(total.value, 10);
  const html = fieldset.querySelector("template[data-formset-empty]").innerHTML.replaceAll("__prefix__", index);
  fieldset.querySelector("[data-formset-body]").insertAdjacentHTML("beforeend", html);
  total.value = index + 1;
  fieldset.querySelector("[data-formset-body] tr:last-child input")?.focus();
});
