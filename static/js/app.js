// Progressive enhancement only: every flow works without this file.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // Bring keyboard and screen-reader focus to the error summary after a failed submit.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }

  // What cannot be undone (closing a vote, moving a manifesto on) asks once more.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }

  // Work running in the background (a draw, an export): ask for its state until it is
  // done, then show the page of its result. Without this script, the page has a link.
  const follow = (element, onProgress) => {
    const poll = async () => {
      try {
        const response = await fetch(element.dataset.statusUrl, { headers: { Accept: "application/json" } });
        const data = await response.json();
        if (data.done) {
          window.location.assign(data.url);
          return;
        }
        onProgress(data);
      } catch (error) {
        // Network hiccup: keep polling.
      }
      window.setTimeout(poll, 1000);
    };
    window.setTimeout(poll, 800);
  };
  for (const job of document.querySelectorAll(".job-status[data-done='false']")) {
    follow(job, () => {});
  }
  const drawStatus = document.getElementById("draw-status");
  if (drawStatus && drawStatus.dataset.done === "false") {
    const text = document.getElementById("draw-status-text");
    follow(drawStatus, (data) => {
      text.dataset.step = data.progress;
    });
  }
});
