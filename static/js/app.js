// DiceRoller's only hand-written script: keeps the live feed gap-free across reconnects, says whether the
// page is live, announces new rolls, and adds the − / + steppers and saved rolls. The rest is htmx attributes.
(function () {
  "use strict";

  var PRESETS = "diceroller.presets";

  function byId(id) { return document.getElementById(id); }

  function setStatus(state, text) {
    var status = byId("connection-status");
    if (status && status.dataset.state !== state) {
      status.dataset.state = state;
      status.textContent = text;
    }
  }

  // Says each new roll once, in the sentence the server wrote for this viewer (data-announce):
  // the own roll comes back twice (the htmx answer and the stream), a revealed roll has a new sentence.
  var announced = {};
  function announce(root) {
    var row = root && root.querySelector("[data-announce]");
    var region = byId("announcer");
    if (!row || !region) { return; }
    var text = row.getAttribute("data-announce");
    var key = row.getAttribute("data-roll-id") + " " + text;
    if (announced[key]) { return; }
    announced[key] = true;
    var line = document.createElement("p");
    line.textContent = text;
    region.appendChild(line);
    while (region.children.length > 3) { region.removeChild(region.firstElementChild); }
  }

  // Drop a roll the page already has, and remember the newest sequence in the stream URL:
  // htmx's sse extension reconnects with a new EventSource that sends no Last-Event-ID,
  // so the URL carries it (?after=N) and the server replays everything after N.
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var message = event.detail;
    var container = byId("live");
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

  // After the stream's last word (the room closed, or this player was removed) stop reconnecting;
  // when the room changes mode, reload so every control matches the viewer's new role.
  document.addEventListener("htmx:sseMessage", function (event) {
    var message = event.detail;
    var container = byId("live");
    if (!message || !container) { return; }
    if (message.type === "room-closed" || message.type === "player-kicked" || message.type === "room-left") {
      if (message.target && message.target.close) { message.target.close(); }
      container.removeAttribute("sse-connect");
      setStatus("closed", message.type === "room-left" ? "Left" : "Closed");
    } else if (message.type === "player-joined" || message.type === "player-left") {
      // Say who joined or left (the roster's note), in the same polite region as rolls.
      var roster = document.createElement("template");
      roster.innerHTML = message.data;
      var note = roster.content.querySelector("[data-roster-note]");
      var region = byId("announcer");
      if (note && region) {
        var said = document.createElement("p");
        said.textContent = note.textContent;
        region.appendChild(said);
        while (region.children.length > 3) { region.removeChild(region.firstElementChild); }
      }
    } else if (message.type === "mode-changed" || message.type === "roles-changed") {
      location.reload();
    } else if (message.type === "roll" || message.type === "roll-revealed") {
      var template = document.createElement("template");
      template.innerHTML = message.data;
      announce(template.content);
      var notice = document.querySelector("#room-notice [data-notice='room-expiring']");
      if (notice && message.type === "roll") { notice.remove(); }
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "roll-result") { announce(event.detail.target); }
  });
  document.addEventListener("htmx:sseOpen", function () { setStatus("live", "Live"); });
  document.addEventListener("htmx:sseError", function () { setStatus("reconnecting", "Reconnecting\u2026"); });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }

    // − / + next to a number input.
    var step = target.closest("[data-step]");
    var input = step && byId(step.getAttribute("aria-controls"));
    if (input) {
      if (step.dataset.step === "1") { input.stepUp(); } else { input.stepDown(); }
      input.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }

    // A saved roll: put its formula in the form and roll it through the form's default button (htmx).
    var preset = target.closest("[data-preset]");
    var form = byId("roll-form");
    if (preset && form) {
      form.elements.dice.value = preset.dataset.preset;
      if (/[+-]/.test(preset.dataset.preset)) { form.elements.modifier.value = "0"; }
      form.querySelector("button[type=submit]").click();
      return;
    }

    var remove = target.closest("[data-preset-delete]");
    if (remove) {
      var index = Number(remove.dataset.presetDelete);
      var list = loadPresets();
      list.splice(index, 1);
      storePresets(list);
      var next = document.querySelectorAll("[data-preset-delete]")[Math.min(index, list.length - 1)];
      (next || byId("preset-name")).focus();
      return;
    }

    // Copy-link buttons show only when this script runs (CSS: .js .copy-link); without it the link is there to copy.
    var copy = target.closest("[data-copy]");
    if (copy && navigator.clipboard) {
      var label = copy.firstChild;
      navigator.clipboard.writeText(new URL(copy.dataset.copy, location.href).href).then(function () {
        label.textContent = "Copied!";
        setTimeout(function () { label.textContent = "Copy link"; }, 2000);
      });
    }
  });

  // The phone's share sheet, where the browser has one (the Invite panel's Share button stays hidden otherwise).
  document.addEventListener("click", function (event) {
    var share = event.target instanceof Element ? event.target.closest("[data-share]") : null;
    if (!share || !navigator.share) { return; }
    navigator.share({ title: share.dataset.shareTitle || document.title, url: share.dataset.share }).catch(function () { /* dismissed */ });
  });
  if (navigator.share) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-share]"), function (button) { button.hidden = false; });
  }

  // Saved rolls ("Longsword: 1d20+5") live in this browser, for every room.
  function loadPresets() {
    try { return JSON.parse(localStorage.getItem(PRESETS)) || []; } catch (e) { return []; }
  }

  function storePresets(list) {
    try { localStorage.setItem(PRESETS, JSON.stringify(list)); } catch (e) { /* private mode: kept until reload */ }
    showPresets(list);
  }

  function showPresets(list) {
    var section = byId("presets");
    var item = byId("preset-item");
    if (!section || !item) { return; }
    var ul = byId("preset-list");
    ul.textContent = "";
    list.forEach(function (preset, index) {
      var li = item.content.firstElementChild.cloneNode(true);
      li.querySelector("[data-preset]").dataset.preset = preset.formula;
      li.querySelector("[data-preset-label]").textContent = preset.name + ": " + preset.formula;
      li.querySelector("[data-preset-delete]").dataset.presetDelete = String(index);
      li.querySelector("[data-preset-delete-label]").textContent = "Delete " + preset.name;
      ul.appendChild(li);
    });
    section.querySelector("[data-presets-empty]").hidden = list.length > 0;
    section.hidden = false;
  }

  document.addEventListener("submit", function (event) {
    if (event.target.id !== "preset-form") { return; }
    event.preventDefault();
    var name = byId("preset-name");
    var formula = byId("preset-formula");
    var list = loadPresets();
    list.push({ name: name.value.trim(), formula: formula.value.replace(/\s+/g, "").toLowerCase() });
    storePresets(list.slice(-24));
    name.value = "";
    formula.value = "";
    name.focus();
  });

  var status = byId("connection-status");
  if (status && status.dataset.state === "connecting") { status.textContent = "Connecting\u2026"; }
  showPresets(loadPresets());
})();
