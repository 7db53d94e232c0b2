// Copy buttons: <button data-copy="ID" data-copied="Copied"> copies the value of the
// field with that id and says so. A file, not inline, so the CSP keeps script-src 'self'.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  field.select();
  const copied = () => { button.textContent = button.dataset.copied || button.textContent; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(copied, () => document.execCommand("copy") && copied());
  } else if (document.execCommand("copy")) {
    copied();
  }
});
