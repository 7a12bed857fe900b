// The room page's script: a gap-free live feed, each roll, knock and roster change said once, an honest dice pad (labels,
// reset, busy state, one-time request ids, Retry), steppers, saved rolls, copy/share, local times. The rest is htmx.
(() => {
  "use strict";
  const byId = (id) => document.getElementById(id);
  const on = (type, handler, capture) => document.addEventListener(type, handler, capture);
  const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const parse = (html) => { const t = document.createElement("template"); t.innerHTML = html; return t.content; };
  const pad = () => byId("roll-form");
  // Marks the page as scripted (CSS shows steppers and copy buttons only then); an inline script would break the CSP.
  document.documentElement.classList.add("js");
  // Rules 2 (docs/fairness.md): when the page says the server picks the client seed (none set yet, or a rotation made it
  // stale), set a fresh one through the fairness panel's own form: a seed counts only when set after the commitment showed.
  function renewClientSeed() {
    const input = byId("client-seed-input");
    if (!input || !input.form) { return; }
    input.value = hex();
    htmx.trigger(input.form, "submit");
  }
  on("htmx:load", (e) => { if (e.detail.elt === document.body && document.querySelector("[data-client-seed-stale]")) { renewClientSeed(); } });
  on("htmx:oobAfterSwap", (e) => {
    const target = e.detail.target;
    if (target && target.id === "room-commitment" && (target.getAttribute("data-commitment") || "").indexOf(".") > 0) { renewClientSeed(); }
    // "At the table" keeps the others' three newest rolls (CSS shows three; the rest is dropped here).
    while (target && target.id === "table-rolls" && target.children.length > 3) { target.lastElementChild.remove(); }
  });
  function setStatus(state, text) {
    const status = byId("connection-status");
    if (status && status.dataset.state !== state) { status.dataset.state = state; status.textContent = text; }
  }
  // Says a sentence in the polite live region (the last three stay), once per key; data-kind: roll, roster, knock, failure.
  const said = {};
  function say(text, kind, key) {
    const region = byId("announcer");
    if (!region || (key && said[key])) { return; }
    if (key) { said[key] = true; }
    const line = Object.assign(document.createElement("p"), { textContent: text });
    line.dataset.kind = kind;
    region.append(line);
    while (region.children.length > 3) { region.firstElementChild.remove(); }
  }
  // A roll, in the sentence the server wrote for this viewer (data-announce); the own roll comes back twice (answer, stream).
  function announce(root) {
    const row = root && root.querySelector("[data-announce]");
    if (row) { say(row.dataset.announce, "roll", row.dataset.rollId + " " + row.dataset.announce); }
  }
  // Before the swap (door and roster swap themselves out): a knock, a roster change, once each; a roll the page has is
  // dropped, the newest sequence kept in the stream URL (?after=N): the sse extension reconnects without Last-Event-ID.
  on("htmx:sseBeforeMessage", (event) => {
    const message = event.detail, live = byId("live");
    if (!message) { return; }
    if (message.type === "door-changed") {
      const door = parse(message.data), panel = door.querySelector("#door-panel"), lockForm = document.querySelector("[data-lock-form]");
      const shown = byId("door-panel");
      door.querySelectorAll("[data-announce-knock]").forEach((k) => say(k.dataset.announceKnock, "knock", "knock " + k.dataset.knockId));
      if (panel && lockForm) { lockForm.hidden = panel.dataset.locked === "true"; }
      // A lock or unlock is said when it changes what this page shows, so a reconnect (same state sent again) says nothing.
      if (panel && shown && panel.dataset.locked !== shown.dataset.locked) { say(panel.dataset.announceLock, "lock"); }
    } else if (message.type === "dc-updated") {
      const status = parse(message.data).querySelector("#dc-status"), shown = byId("dc-status");
      if (status && shown && status.dataset.dc !== shown.dataset.dc) { say(status.dataset.announce, "dc"); }
    } else if (message.type === "player-joined" || message.type === "player-left") {
      const roster = parse(message.data), panel = roster.querySelector("#roster-panel"), note = roster.querySelector("[data-roster-note]");
      if (panel && note) { say(note.textContent.trim(), "roster", `roster ${panel.dataset.changedPlayerId} ${panel.dataset.reason || "joined"}`); }
    } else if (message.type === "initiative") {
      const tracker = parse(message.data).querySelector("[data-initiative]");
      if (tracker && tracker.dataset.announceTurn) { say(tracker.dataset.announceTurn, "turn", "turn " + tracker.dataset.turnKey); }
    } else if (message.type === "roll" && live) {
      const sequence = Number(message.lastEventId);
      if (sequence && sequence <= Number(live.dataset.lastSequence || 0)) { event.preventDefault(); return; }
      if (sequence) { live.dataset.lastSequence = String(sequence); live.setAttribute("sse-connect", live.dataset.streamBase + "?after=" + sequence); }
    }
  });
  // The stream's last word stops reconnecting; a closed room, a removal or leaving also switches every control off (the
  // notice says why). A mode or role change reloads, so every control matches the viewer's new role.
  const ends = { "room-closed": "Closed", "player-kicked": "Closed", "room-left": "Left", "stream-replaced": "Paused" };
  on("htmx:sseMessage", (event) => {
    const message = event.detail, live = byId("live");
    if (!message || !live) { return; }
    if (ends[message.type]) {
      if (message.target && message.target.close) { message.target.close(); }
      live.removeAttribute("sse-connect");
      setStatus("closed", ends[message.type]);
      if (message.type !== "stream-replaced") {
        live.dataset.ended = message.type;
        live.querySelectorAll("button, input, select, textarea").forEach((control) => { control.disabled = true; });
      }
    } else if (message.type === "mode-changed" || message.type === "roles-changed") {
      location.reload();
    } else if (message.type === "roll" || message.type === "roll-revealed") {
      announce(parse(message.data));
      const notice = document.querySelector("#room-notice [data-notice='room-expiring']");
      if (notice && message.type === "roll") { notice.remove(); }
    }
  });
  on("htmx:sseOpen", () => setStatus("live", "Live"));
  on("htmx:sseError", () => setStatus("reconnecting", "Reconnecting\u2026"));
  // The own result is said, and put where the roller looks: the least scroll needed to show it whole.
  on("htmx:afterSwap", (event) => {
    if (!event.detail.target || event.detail.target.id !== "roll-result") { return; }
    announce(event.detail.target);
    const panel = byId("your-roll") || event.detail.target, box = panel.getBoundingClientRect();
    const height = window.innerHeight || document.documentElement.clientHeight;
    if (box.top < 0 || box.bottom > height) { panel.scrollIntoView({ block: box.height > height ? "start" : "nearest" }); }
  });

  // ---- The dice pad: what you tap is what you roll. Labels as the server renders them (RollFormModel.DieLabel).
  function updatePad() {
    const form = pad();
    if (!form) { return; }
    const checked = form.querySelector("input[name=advantage]:checked"), advantage = checked ? checked.value : "none";
    const m = parseInt(form.elements.modifier.value, 10), hidden = form.elements.hidden, keep = form.elements.keep_hidden;
    form.querySelectorAll("button[name=die]").forEach((button) => {
      const d20 = button.value === "20", notes = [];
      if (advantage === "advantage") { notes.push(d20 ? "adv" : "no adv"); }
      if (advantage === "disadvantage") { notes.push(d20 ? "dis" : "no dis"); }
      if (hidden && hidden.checked) { notes.push("hidden"); }
      button.querySelector("[data-die-formula]").textContent = (String(form.elements.count.value).trim() || "1") + "d" + button.value +
        (isNaN(m) || m === 0 ? "" : m > 0 ? "+" + m : String(m));
      button.querySelector("[data-die-note]").textContent = notes.join(" \u00b7 ");
    });
    const pinned = form.querySelector("[data-hidden-pinned]");
    if (pinned) { pinned.hidden = !(keep && keep.checked); }
  }
  function padChanged(event) {
    const form = pad(), field = event.target;
    if (!form || field.form !== form) { return; }
    if (field.name === "keep_hidden" && field.checked && form.elements.hidden) { form.elements.hidden.checked = true; }
    if (field.name === "hidden" && !field.checked && form.elements.keep_hidden) { form.elements.keep_hidden.checked = false; }
    updatePad();
  }
  on("input", padChanged);
  on("change", padChanged);

  // ---- Sending a roll: busy state, one request at a time, Retry with the same request id
  let busy = null, failed = null, submitter = null; // the roll in flight { button, values }; the one not sent { values }; its button
  on("submit", (event) => { if (event.target.id === "roll-form") { submitter = event.submitter || null; } }, true);
  const isRoll = (element) => !!element && (element.id === "roll-form" || !!element.closest("[data-preset], [data-roll-retry]"));
  // Sends a roll with exactly these fields (a saved roll, or a Retry); the pad's own fields are overridden.
  function send(values, source) {
    const form = pad();
    if (!form || busy) { return; }
    const all = Object.assign({ die: "", hidden: "", keep_hidden: "" }, values);
    htmx.ajax("POST", form.getAttribute("hx-post"), { source: source, target: "#roll-result", swap: "innerHTML", values: all })
      .catch(() => { /* shown at the pad */ });
  }
  on("htmx:beforeRequest", (event) => {
    const element = event.detail.elt;
    if (!isRoll(element)) { return; }
    if (busy) { event.preventDefault(); return; } // a second tap while a roll is on its way would be a second roll
    const values = {}, data = event.detail.requestConfig && event.detail.requestConfig.formData;
    if (data) { data.forEach((value, key) => { values[key] = value; }); }
    busy = { button: element.id === "roll-form" ? submitter || byId("roll-submit") : element, values: values };
    busy.button.setAttribute("aria-busy", "true");
    pad().setAttribute("aria-busy", "true");
  });
  // A 5xx answer is a failure to roll, shown with Retry, not a result.
  on("htmx:beforeSwap", (e) => { if (isRoll(e.detail.elt) && e.detail.xhr && e.detail.xhr.status >= 500) { e.detail.shouldSwap = false; } });
  on("htmx:afterRequest", (event) => {
    if (!isRoll(event.detail.elt) || !busy) { return; }
    const sent = busy, form = pad(), status = event.detail.xhr ? event.detail.xhr.status : 0, box = byId("roll-failure");
    busy = null;
    sent.button.removeAttribute("aria-busy");
    form.removeAttribute("aria-busy");
    // Not rolled, or not known to be: Retry sends this very request again (same request id, so never twice).
    if (status === 0 || status >= 500) { failed = { values: sent.values }; } else if (box) { box.hidden = true; }
    if (status >= 200 && status < 300) {
      // The pad starts over: 1 die, +0, Normal, not hidden (unless the DM pinned "Keep hidden on").
      failed = null;
      form.elements.count.value = "1";
      form.elements.modifier.value = "0";
      form.querySelector("input[name=advantage][value=none]").checked = true;
      if (form.elements.hidden) { form.elements.hidden.checked = !!(form.elements.keep_hidden && form.elements.keep_hidden.checked); }
      updatePad();
    }
    if (status < 300 || status >= 500) { form.elements.request_id.value = hex(); } // a new tap is a new roll, with a new id
  });
  const failures = { // a roll not sent, or not known to be: said at the pad, with Retry
    "htmx:sendError": () => (navigator.onLine === false
      ? "Your roll was not sent: this device is offline. Tap Retry when you are back online."
      : "Your roll was not sent: DiceRoller could not be reached. Check your connection and tap Retry."),
    "htmx:timeout": () => "No answer from DiceRoller in time: your roll may not have been made. Retry checks it without rolling twice.",
    "htmx:responseError": (xhr) => (xhr && xhr.status >= 500
      ? "DiceRoller could not make your roll (error " + xhr.status + "). Tap Retry to send it again; it will not roll twice." : "")
  };
  Object.keys(failures).forEach((type) => on(type, (event) => {
    const text = isRoll(event.detail.elt) && failures[type](event.detail.xhr), box = byId("roll-failure");
    if (!text || !box) { return; }
    box.querySelector("[data-roll-failure-text]").textContent = text;
    box.hidden = false;
    say(text, "failure");
  }));

  // ---- Clicks: steppers, saved rolls, Retry, copy links, the share sheet; a row's menu closes on a click elsewhere or Escape
  on("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    document.querySelectorAll("details.row-menu[open]").forEach((menu) => { if (!menu.contains(target)) { menu.removeAttribute("open"); } });
    const step = target.closest("[data-step]"), input = step && byId(step.getAttribute("aria-controls"));
    const preset = target.closest("[data-preset]"), retry = target.closest("[data-roll-retry]");
    const copy = target.closest("[data-copy]"), share = target.closest("[data-share]");
    if (input) {
      if (step.dataset.step === "1") { input.stepUp(); } else { input.stepDown(); }
      input.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (preset) {
      // A saved roll rolls exactly what was saved: its own fields are sent, never the pad's (its form is the no-JS way).
      const saved = preset.dataset, form = pad();
      if (!form) { return; }
      event.preventDefault();
      const pinned = form.elements.keep_hidden && form.elements.keep_hidden.checked;
      send({ dice: saved.presetFormula, modifier: "0", count: "1", advantage: saved.presetAdvantage || "none",
        hidden: saved.presetHidden === "true" || pinned ? "true" : "",
        request_id: form.elements.request_id.value, __RequestVerificationToken: form.elements.__RequestVerificationToken.value }, preset);
    } else if (retry) {
      if (failed) { send(failed.values, retry); }
    } else if (copy && navigator.clipboard) {
      const label = copy.firstChild;
      navigator.clipboard.writeText(new URL(copy.dataset.copy, location.href).href).then(() => {
        label.textContent = "Copied!";
        setTimeout(() => { label.textContent = "Copy link"; }, 2000);
      });
    } else if (share && navigator.share) {
      navigator.share({ title: share.dataset.shareTitle || document.title, url: share.dataset.share }).catch(() => { /* dismissed */ });
    }
  });
  on("keydown", (event) => {
    const menu = event.key === "Escape" && event.target.closest && event.target.closest("details.row-menu[open]");
    if (menu) { menu.removeAttribute("open"); menu.querySelector("summary").focus(); }
  });

  // ---- Saved rolls ("Longsword: 1d20+5") live with the seat: the server draws them, htmx saves and removes them. This browser
  // keeps a copy ({ name, formula, advantage, hidden }) and sends it once to each room it opens, so none made before is lost.
  const PRESETS = "diceroller.presets";
  let sending = 0;
  function loadPresets() { try { return JSON.parse(localStorage.getItem(PRESETS)) || []; } catch (e) { return []; } }
  function syncPresets() {
    const section = byId("presets"), form = byId("preset-form"), token = form && form.elements.__RequestVerificationToken;
    if (!section || !token) { return; }
    const shown = Array.from(section.querySelectorAll("[data-saved-roll]"), (li) => {
      const b = li.querySelector("[data-preset]").dataset;
      return { name: li.dataset.name, formula: b.presetFormula, advantage: b.presetAdvantage, hidden: b.presetHidden === "true" };
    });
    // The names this room has had from this browser (shown or sent): a copy is sent once, a removal stays removed.
    const key = PRESETS + ".sent:" + form.getAttribute("action"), upper = (p) => String(p.name).trim().toUpperCase();
    let known = [];
    try { known = JSON.parse(localStorage.getItem(key)) || []; } catch (e) { /* none yet */ }
    const seen = known.concat(shown.map(upper));
    const missing = sending ? [] : loadPresets().filter((p) => p && p.name && p.formula && seen.indexOf(upper(p)) < 0);
    const names = seen.concat(missing.map(upper)).filter((n, i, all) => all.indexOf(n) === i);
    try { localStorage.setItem(key, JSON.stringify(names)); } catch (e) { /* private mode */ }
    if (!missing.length && !sending) { try { localStorage.setItem(PRESETS, JSON.stringify(shown)); } catch (e) { /* kept on the server */ } }
    sending += missing.length;
    const url = form.getAttribute("hx-post"), hidden = !!form.elements["preset-hidden"]; // only a DM may save a hidden one
    missing.reduce((chain, p) => chain.then(() => htmx.ajax("POST", url, { target: "#presets", swap: "outerHTML", values: {
      name: p.name, formula: p.formula, "preset-advantage": p.advantage || "none", "preset-hidden": p.hidden && hidden ? "true" : "",
      __RequestVerificationToken: token.value } }).catch(() => { /* said in the section */ })
      .then(() => { sending -= 1; if (!sending) { syncPresets(); } })), Promise.resolve());
  }
  on("htmx:load", (event) => {
    if (!event.detail.elt || event.detail.elt.id !== "presets") { return; }
    syncPresets();
    if (!document.activeElement || document.activeElement === document.body) { byId("preset-name").focus(); }
  });
  // Roll times: the server writes HH:mm:ss UTC (what shows without JavaScript); this shows the viewer's own time zone.
  function localise(root) {
    (root.querySelectorAll ? root.querySelectorAll("time[data-local-time]") : []).forEach((time) => {
      const iso = time.getAttribute("datetime"), when = new Date(iso);
      if (isNaN(when.getTime()) || time.dataset.localised === iso) { return; }
      time.textContent = when.toLocaleTimeString("en-GB", { hourCycle: "h23" });
      time.title = when.toLocaleString();
      time.dataset.localised = iso;
    });
  }
  new MutationObserver((changes) => changes.forEach((change) => change.addedNodes.forEach((node) => {
    if (node.nodeType === 1) { localise(node.parentNode || node); }
  }))).observe(document.documentElement, { childList: true, subtree: true });
  const tracker = document.querySelector("[data-initiative][data-turn-key]"); // the turn the page shows is not news
  if (tracker) { said["turn " + tracker.dataset.turnKey] = true; }
  const status = byId("connection-status");
  if (status && status.dataset.state === "connecting") { status.textContent = "Connecting\u2026"; }
  if (navigator.share) { document.querySelectorAll("[data-share]").forEach((button) => { button.hidden = false; }); }
  localise(document);
  syncPresets();
  updatePad();
})();
