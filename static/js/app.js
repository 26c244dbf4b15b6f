// Progressive enhancement only: every flow works without this file.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // Bring keyboard and screen-reader focus to the error summary after a failed submit.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }

  // A running draw: ask for its status until it ends, then show the result page.
  const drawStatus = document.getElementById("draw-status");
  if (drawStatus && drawStatus.dataset.done === "false") {
    const text = document.getElementById("draw-status-text");
    const poll = async () => {
      try {
        const response = await fetch(drawStatus.dataset.statusUrl, { headers: { Accept: "application/json" } });
        const data = await response.json();
        if (data.done) {
          window.location.assign(data.url);
          return;
        }
        text.dataset.step = data.progress;
      } catch (error) {
        // Network hiccup: keep polling.
      }
      window.setTimeout(poll, 1500);
    };
    window.setTimeout(poll, 1000);
  }
});
