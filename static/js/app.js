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

  document.addEventListener("htmx:sseOpen", function () { setStatus("live", "Live"); });
  document.addEventListener("htmx:sseError", function () { setStatus("reconnecting", "Reconnecting\u2026"); });
})();
