// Progressive enhancement only: every flow works without this file.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // Bring keyboard and screen-reader focus to the error summary after a failed submit.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }

  // A file being made in the background: ask for its state until it is ready, then show
  // the page that offers it.
  for (const job of document.querySelectorAll(".job-status[data-done='false']")) {
    const poll = async () => {
      try {
        const response = await fetch(job.dataset.statusUrl, { headers: { Accept: "application/json" } });
        const data = await response.json();
        if (data.done) {
          window.location.assign(data.url);
          return;
        }
      } catch (error) {
        // Network hiccup: keep polling.
      }
      window.setTimeout(poll, 1000);
    };
    window.setTimeout(poll, 800);
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
