// DiceRoller's only hand-written script: keeps the live feed gap-free across reconnects
// and says whether the page is live. Everything else is htmx attributes.
(function () {
  "use strict";

  function live() { return document.getElementById("live"); }

  function setStatus(state, text) {
    var status = document.getElementById("connection-status");
    if (status && status.dataset.state !== state) {
      status.dataset.state = state;
      status.textContent = text;
    }
  }

  // Drop a roll the page already has, and remember the newest sequence in the stream URL:
  // htmx's sse extension reconnects with a new EventSource that sends no Last-Event-ID,
  // so the URL carries it (?after=N) and the server replays everything after N.
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var message = event.detail;
    var container = live();
    if (!container || !message || message.type !== "roll") { return; }
    var sequence = Number(message.lastEventId);
    var last = Number(container.dataset.lastSequence || 0);
    if (sequence && sequence <= last) {
      event.preventDefault();
      return;
    }
    if (sequence) {
      container.dataset.lastSequence = String(sequence);
      container.setAttribute("sse-connect", container.dataset.streamBase + "?after=" + sequence);
    }
  });

  // Copy-link buttons appear only when this script runs (CSS: .js .copy-link); without it the link is there to copy.
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) { return; }
    var label = button.firstChild;
    navigator.clipboard.writeText(new URL(button.dataset.copy, location.href).href).then(function () {
      label.textContent = "Copied!";
      setTimeout(function () { label.textContent = "Copy link"; }, 2000);
    });
  });

  // After the stream's last word (the room closed, or this player was removed) stop reconnecting;
  // when the room changes mode, reload so every control matches the viewer's new role.
  document.addEventListener("htmx:sseMessage", function (event) {
    var message = event.detail;
    var container = live();
    if (!message || !container) { return; }
    if (message.type === "room-closed" || message.type === "player-kicked") {
      if (message.target && message.target.close) { message.target.close(); }
      container.removeAttribute("sse-connect");
      setStatus("closed", "Closed");
    } else if (message.type === "mode-changed") {
      location.reload();
    } else if (message.type === "roll") {
      var notice = document.querySelector("#room-notice [data-notice='room-expiring']");
      if (notice) { notice.remove(); }
    }
  });

  document.addEventListener("htmx:sseOpen", function () { setStatus("live", "Live"); });
  document.addEventListener("htmx:sseError", function () { setStatus("reconnecting", "Reconnecting\u2026"); });
})();
