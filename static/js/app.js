// Progressive enhancement only: every flow works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Bring keyboard and screen-reader focus to the error summary after a failed submit.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
