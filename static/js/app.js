// DiceRoller's only hand-written script: keeps the live feed gap-free across reconnects, says whether the
// page is live, announces new rolls, keeps the dice pad honest (labels, reset, busy state, one-time request
// ids, Retry) and adds the − / + steppers and saved rolls. The rest is htmx attributes.
(function () {
  "use strict";

  // Marks the page as scripted (CSS shows steppers and copy buttons only then); an inline script would break the CSP.
  document.documentElement.classList.add("js");

  var PRESETS = "diceroller.presets";

  // A new member's client seed (docs/fairness.md), made here so the server alone cannot choose their dice:
  // 16 random bytes as hex. Without JavaScript the field stays empty and the server makes one (and says so).
  document.querySelectorAll("input[data-client-seed-new]").forEach(function (input) {
    if (input.value || !window.crypto || !window.crypto.getRandomValues) { return; }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    input.value = Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  });

  function byId(id) { return document.getElementById(id); }

  // Rules 2 (docs/fairness.md): a client seed counts only when set after the commitment was shown. When the page says the
  // server picks it (none set yet, or a rotation made it stale), set a fresh one through the panel's own form.
  function renewClientSeed() {
    var input = byId("client-seed-input");
    if (!input || !input.form || !window.crypto || !window.crypto.getRandomValues) { return; }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    input.value = Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    if (window.htmx) { window.htmx.trigger(input.form, "submit"); } else { input.form.requestSubmit(); }
  }
  document.addEventListener("htmx:load", function (e) {
    if (e.detail && e.detail.elt === document.body && document.querySelector("[data-client-seed-stale]")) { renewClientSeed(); }
  });
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var commitment = byId("room-commitment");
    if (e.detail && e.detail.target && e.detail.target.id === "room-commitment" && commitment &&
        (commitment.getAttribute("data-commitment") || "").indexOf(".") > 0) { renewClientSeed(); }
  });

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
    sayOnce(row.getAttribute("data-roll-id") + " " + text, text, "roll");
  }

  // Writes a sentence into the polite live region once per key.
  function sayOnce(key, text, kind) {
    var region = byId("announcer");
    if (!region || announced[key]) { return; }
    announced[key] = true;
    say(text, kind);
  }

  // Says a sentence in the page's polite live region (the last three stay, for late listeners); data-kind tells a
  // roll from a roster change, a knock or a failure.
  function say(text, kind) {
    var region = byId("announcer");
    if (!region) { return; }
    var line = document.createElement("p");
    line.textContent = text;
    line.setAttribute("data-kind", kind);
    region.appendChild(line);
    while (region.children.length > 3) { region.removeChild(region.firstElementChild); }
  }

  // Drop a roll the page already has, and remember the newest sequence in the stream URL:
  // htmx's sse extension reconnects with a new EventSource that sends no Last-Event-ID,
  // so the URL carries it (?after=N) and the server replays everything after N.
  // Someone knocked: the admin hears it once (the panel swaps itself out, so this listens before the swap).
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var message = event.detail;
    if (!message || message.type !== "door-changed") { return; }
    var door = document.createElement("template");
    door.innerHTML = message.data;
    door.content.querySelectorAll("[data-announce-knock]").forEach(function (knock) {
      sayOnce("knock " + knock.getAttribute("data-knock-id"), knock.getAttribute("data-announce-knock"), "knock");
    });
    var panel = door.content.querySelector("#door-panel");
    var lockForm = document.querySelector("[data-lock-form]");
    if (panel && lockForm) { lockForm.hidden = panel.getAttribute("data-locked") === "true"; }
  });

  // Someone joined, left or was removed: say the roster's note in the same polite region as rolls. Heard before the
  // swap, like the door: the roster swaps itself out, so an htmx:sseMessage from it never reaches the document.
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var message = event.detail;
    if (!message || (message.type !== "player-joined" && message.type !== "player-left")) { return; }
    var roster = document.createElement("template");
    roster.innerHTML = message.data;
    // Once per player and change: a player's page coming online sends the roster again with the same join note.
    var panel = roster.content.querySelector("#roster-panel");
    var note = roster.content.querySelector("[data-roster-note]");
    if (panel && note) {
      sayOnce("roster " + panel.getAttribute("data-changed-player-id") + " " + (panel.getAttribute("data-reason") || "joined"),
        note.textContent.trim(), "roster");
    }
  });

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
      endRoom(container, message.type);
    } else if (message.type === "stream-replaced") {
      // Too many tabs of this player: a newer one took this tab's live stream. Stay quiet (no reconnect loop
      // fighting the other tabs); the notice's link reloads this tab when the person wants it live again.
      if (message.target && message.target.close) { message.target.close(); }
      container.removeAttribute("sse-connect");
      setStatus("closed", "Paused");
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

  // The room closed or this player was removed: nothing here can be sent any more, so every control is
  // switched off at once (the notice above says why) instead of failing one tap later.
  function endRoom(container, why) {
    container.dataset.ended = why;
    container.querySelectorAll("button, input, select, textarea").forEach(function (control) {
      control.disabled = true;
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "roll-result") {
      announce(target);
      bringIntoView(byId("your-roll") || target);
    }
  });

  // The own result must be where the roller looks: scroll the least needed to show it whole.
  function bringIntoView(element) {
    var box = element.getBoundingClientRect();
    var height = window.innerHeight || document.documentElement.clientHeight;
    if (box.top < 0 || box.bottom > height) { element.scrollIntoView({ block: box.height > height ? "start" : "nearest" }); }
  }
  document.addEventListener("htmx:sseOpen", function () { setStatus("live", "Live"); });
  document.addEventListener("htmx:sseError", function () { setStatus("reconnecting", "Reconnecting\u2026"); });

  // ---- The dice pad: what you tap is what you roll ---------------------------------------------------------

  function rollForm() { return byId("roll-form"); }

  // A one-time id for the next roll: the server answers every repeat of it with the same roll.
  function newRequestId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  // The label of a die button, as the server renders it (RollFormModel.DieLabel): "4d6+3", "1d20+5" + "adv".
  function dieLabel(sides, count, modifier, advantage, hidden) {
    var m = parseInt(modifier, 10);
    var notes = [];
    if (advantage === "advantage") { notes.push(sides === "20" ? "adv" : "no adv"); }
    if (advantage === "disadvantage") { notes.push(sides === "20" ? "dis" : "no dis"); }
    if (hidden) { notes.push("hidden"); }
    return {
      formula: (String(count).trim() || "1") + "d" + sides + (isNaN(m) || m === 0 ? "" : m > 0 ? "+" + m : String(m)),
      note: notes.join(" \u00b7 ")
    };
  }

  function updatePad() {
    var form = rollForm();
    if (!form) { return; }
    var checked = form.querySelector("input[name=advantage]:checked");
    var hidden = form.elements.hidden;
    var keep = form.elements.keep_hidden;
    form.querySelectorAll("button[name=die]").forEach(function (button) {
      var label = dieLabel(button.value, form.elements.count.value, form.elements.modifier.value,
        checked ? checked.value : "none", !!(hidden && hidden.checked));
      button.querySelector("[data-die-formula]").textContent = label.formula;
      button.querySelector("[data-die-note]").textContent = label.note;
    });
    var pinned = form.querySelector("[data-hidden-pinned]");
    if (pinned) { pinned.hidden = !(keep && keep.checked); }
  }

  // After a roll the pad starts over: 1 die, +0, Normal, not hidden (unless the DM pinned "Keep hidden on").
  function resetPad() {
    var form = rollForm();
    if (!form) { return; }
    form.elements.count.value = "1";
    form.elements.modifier.value = "0";
    var normal = form.querySelector("input[name=advantage][value=none]");
    if (normal) { normal.checked = true; }
    if (form.elements.hidden) { form.elements.hidden.checked = !!(form.elements.keep_hidden && form.elements.keep_hidden.checked); }
    updatePad();
  }

  function padChanged(event) {
    var form = rollForm();
    if (!form || !event.target.form || event.target.form !== form) { return; }
    var name = event.target.name;
    if (name === "keep_hidden" && event.target.checked && form.elements.hidden) { form.elements.hidden.checked = true; }
    if (name === "hidden" && !event.target.checked && form.elements.keep_hidden) { form.elements.keep_hidden.checked = false; }
    updatePad();
  }
  document.addEventListener("input", padChanged);
  document.addEventListener("change", padChanged);

  // ---- Sending a roll: busy state, one request at a time, Retry with the same request id -------------------

  var busy = null;      // the roll in flight: { button, values }
  var failed = null;    // the roll that could not be sent: { values }
  var submitter = null; // the button that submitted the roll form

  document.addEventListener("submit", function (event) {
    if (event.target.id === "roll-form") { submitter = event.submitter || null; }
  }, true);

  function isRoll(element) {
    return !!element && (element.id === "roll-form" || !!element.closest("[data-preset], [data-roll-retry]"));
  }

  // Sends a roll with exactly these fields (a saved roll, or a Retry); the pad's own fields are overridden.
  function send(values, source) {
    var form = rollForm();
    if (!form || busy) { return; }
    var all = {};
    Object.keys(values).forEach(function (key) { all[key] = values[key]; });
    ["die", "hidden", "keep_hidden"].forEach(function (key) { if (!(key in all)) { all[key] = ""; } });
    // Failures are shown by the htmx:sendError / htmx:timeout / htmx:responseError handlers below.
    htmx.ajax("POST", form.getAttribute("hx-post"), { source: source, target: "#roll-result", swap: "innerHTML", values: all })
      .catch(function () { /* shown at the pad */ });
  }

  function rollSaved(saved, button) {
    var form = rollForm();
    if (!form) { return; }
    var pinned = form.elements.keep_hidden && form.elements.keep_hidden.checked;
    send({
      dice: saved.formula,
      modifier: "0",
      count: "1",
      advantage: saved.advantage || "none",
      hidden: saved.hidden || pinned ? "true" : "",
      request_id: form.elements.request_id.value,
      __RequestVerificationToken: form.elements.__RequestVerificationToken.value
    }, button);
  }

  function showFailure(text) {
    var box = byId("roll-failure");
    if (!box) { return; }
    box.querySelector("[data-roll-failure-text]").textContent = text;
    box.hidden = false;
    say(text, "failure");
  }

  function hideFailure() {
    var box = byId("roll-failure");
    if (box) { box.hidden = true; }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (!isRoll(element)) { return; }
    if (busy) {
      // A second tap while a roll is on its way is not sent: it would be a second roll.
      event.preventDefault();
      return;
    }
    var values = {};
    var data = event.detail.requestConfig && event.detail.requestConfig.formData;
    if (data) { data.forEach(function (value, key) { values[key] = value; }); }
    var button = element.id === "roll-form" ? submitter || byId("roll-submit") : element;
    busy = { button: button, values: values };
    button.setAttribute("aria-busy", "true");
    rollForm().setAttribute("aria-busy", "true");
  });

  // A 5xx answer is a failure to roll, shown at the pad with Retry, not a result.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (isRoll(event.detail.elt) && event.detail.xhr && event.detail.xhr.status >= 500) { event.detail.shouldSwap = false; }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isRoll(event.detail.elt) || !busy) { return; }
    var sent = busy;
    busy = null;
    sent.button.removeAttribute("aria-busy");
    rollForm().removeAttribute("aria-busy");
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (status >= 200 && status < 300) {
      failed = null;
      hideFailure();
      resetPad();
      rollForm().elements.request_id.value = newRequestId();
    } else if (status === 0 || status >= 500) {
      // Not rolled, or not known to be: Retry sends this very request again (same request id, so never twice);
      // a new tap is a new roll with a new id.
      failed = { values: sent.values };
      rollForm().elements.request_id.value = newRequestId();
    } else {
      hideFailure();
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (!isRoll(event.detail.elt)) { return; }
    showFailure(navigator.onLine === false
      ? "Your roll was not sent: this device is offline. Tap Retry when you are back online."
      : "Your roll was not sent: DiceRoller could not be reached. Check your connection and tap Retry.");
  });
  document.addEventListener("htmx:timeout", function (event) {
    if (!isRoll(event.detail.elt)) { return; }
    showFailure("No answer from DiceRoller in time: your roll may not have been made. Retry checks it without rolling twice.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (!isRoll(event.detail.elt) || !event.detail.xhr || event.detail.xhr.status < 500) { return; }
    showFailure("DiceRoller could not make your roll (error " + event.detail.xhr.status + "). Tap Retry to send it again; it will not roll twice.");
  });

  // ---- Clicks: steppers, saved rolls, Retry, copy links ----------------------------------------------------

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

    // A saved roll rolls exactly what was saved: its own fields are sent, never the pad's.
    var preset = target.closest("[data-preset]");
    if (preset) {
      var saved = loadPresets()[Number(preset.dataset.preset)];
      if (saved) { rollSaved(saved, preset); }
      return;
    }

    var retry = target.closest("[data-roll-retry]");
    if (retry) {
      if (failed) { send(failed.values, retry); }
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

  // ---- Saved rolls ("Longsword: 1d20+5"), in this browser, for every room ------------------------------------
  // Each keeps its whole spec: { name, formula, advantage, hidden }. Older ones ({ name, formula }) roll plain.

  function loadPresets() {
    try { return JSON.parse(localStorage.getItem(PRESETS)) || []; } catch (e) { return []; }
  }

  function storePresets(list) {
    try { localStorage.setItem(PRESETS, JSON.stringify(list)); } catch (e) { /* private mode: kept until reload */ }
    showPresets(list);
  }

  function presetSpec(preset) {
    var notes = [];
    if (preset.advantage === "advantage") { notes.push("adv"); }
    if (preset.advantage === "disadvantage") { notes.push("dis"); }
    if (preset.hidden) { notes.push("hidden"); }
    return preset.formula + (notes.length ? " " + notes.join(" \u00b7 ") : "");
  }

  function showPresets(list) {
    var section = byId("presets");
    var item = byId("preset-item");
    if (!section || !item) { return; }
    var ul = byId("preset-list");
    ul.textContent = "";
    list.forEach(function (preset, index) {
      var li = item.content.firstElementChild.cloneNode(true);
      li.querySelector("[data-preset]").dataset.preset = String(index);
      li.querySelector("[data-preset-label]").textContent = preset.name + ": " + presetSpec(preset);
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
    var form = event.target;
    var name = byId("preset-name");
    var formula = byId("preset-formula");
    var advantage = form.querySelector("input[name=preset-advantage]:checked");
    var hidden = form.querySelector("input[name=preset-hidden]");
    var list = loadPresets();
    list.push({
      name: name.value.trim(),
      formula: formula.value.trim().replace(/\s+/g, " "),
      advantage: advantage ? advantage.value : "none",
      hidden: !!(hidden && hidden.checked)
    });
    storePresets(list.slice(-24));
    form.reset();
    name.focus();
  });

  // A knock's waiting page asks every few seconds whether the DM answered; once they did, it goes to the
  // room (let in) or shows the answer. Without JavaScript a meta refresh does the same.
  function waitForAnswer(page) {
    var url = page.dataset.knockUrl;
    var every = Number(page.dataset.refreshSeconds || 3) * 1000;
    function ask() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (response) {
        if (response.status === 202) { setTimeout(ask, every); return; }
        location.assign(response.redirected ? response.url : url);
      }, function () { setTimeout(ask, every); });
    }
    setTimeout(ask, every);
  }

  // Beyond the room-creation burst the server asks for a proof of work: a nonce such that
  // SHA-256(token:nonce) starts with N zero bits. No puzzle: the browser does it in about a second.
  function zeroBits(bytes, bits) {
    for (var i = 0; i < bits; i++) {
      if (bytes[i >> 3] & (0x80 >> (i & 7))) { return false; }
    }
    return true;
  }

  function solve(token, bits) {
    var encoder = new TextEncoder();
    var digest = window.crypto && crypto.subtle
      ? function (text) { return crypto.subtle.digest("SHA-256", encoder.encode(text)).then(function (b) { return new Uint8Array(b); }); }
      : function (text) { return Promise.resolve(sha256(encoder.encode(text))); };
    var next = 0;
    function round() {
      var nonces = [];
      for (var i = 0; i < 512; i++) { nonces.push((next + i).toString(36)); }
      next += nonces.length;
      return Promise.all(nonces.map(function (n) { return digest(token + ":" + n); })).then(function (hashes) {
        for (var j = 0; j < hashes.length; j++) {
          if (zeroBits(hashes[j], bits)) { return nonces[j]; }
        }
        return round();
      });
    }
    return round();
  }

  // SHA-256 for pages served over plain HTTP on a home network, where crypto.subtle does not exist.
  var K = [];
  (function () {
    var found = 0;
    for (var n = 2; found < 64; n++) {
      var prime = true;
      for (var d = 2; d * d <= n; d++) { if (n % d === 0) { prime = false; break; } }
      if (prime) { K[found++] = (Math.pow(n, 1 / 3) % 1) * 4294967296 | 0; }
    }
  })();
  function sha256(bytes) {
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var length = bytes.length;
    var padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 4, length * 8);
    view.setUint32(padded.length - 8, Math.floor(length / 536870912));
    var w = new Array(64);
    for (var offset = 0; offset < padded.length; offset += 64) {
      for (var t = 0; t < 64; t++) {
        if (t < 16) { w[t] = view.getUint32(offset + t * 4); } else {
          var a = w[t - 15], b = w[t - 2];
          var s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
          var s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
          w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
        }
      }
      var x = h.slice();
      for (t = 0; t < 64; t++) {
        var e = x[4], f = x[0];
        var t1 = (x[7] + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & x[5]) ^ (~e & x[6])) + K[t] + w[t]) | 0;
        var t2 = ((((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & x[1]) ^ (f & x[2]) ^ (x[1] & x[2]))) | 0;
        x = [(t1 + t2) | 0, f, x[1], x[2], (x[3] + t1) | 0, e, x[5], x[6]];
      }
      for (t = 0; t < 8; t++) { h[t] = (h[t] + x[t]) | 0; }
    }
    var out = new Uint8Array(32);
    var result = new DataView(out.buffer);
    for (t = 0; t < 8; t++) { result.setUint32(t * 4, h[t]); }
    return out;
  }

  function proveAndCreate(form) {
    if (form.dataset.powState === "solving") { return; }
    form.dataset.powState = "solving";
    var status = form.querySelector("[data-pow-status]");
    var error = form.querySelector("[data-error-code='RATE_LIMIT']");
    if (error) { error.hidden = true; }
    status.textContent = "Checking your browser\u2026 this takes a second.";
    var started = Date.now();
    solve(form.elements.pow_token.value, Number(form.dataset.powBits)).then(function (nonce) {
      form.elements.pow_nonce.value = nonce;
      form.dataset.powMs = String(Date.now() - started);
      form.dataset.powState = "solved";
      status.textContent = "Done. Creating your room\u2026";
      form.submit();
    }, function () {
      form.dataset.powState = "";
      if (error) { error.hidden = false; }
      status.textContent = "Your browser could not do the check. Please wait and try again.";
    });
  }

  var create = byId("create-form");
  if (create && create.dataset.powBits) {
    create.addEventListener("submit", function (event) {
      event.preventDefault();
      proveAndCreate(create);
    });
    if (create.dataset.powSolveNow === "true") { proveAndCreate(create); }
  }

  var knockPage = document.querySelector("[data-knock-url]");
  if (knockPage) { waitForAnswer(knockPage); }

  var status = byId("connection-status");
  if (status && status.dataset.state === "connecting") { status.textContent = "Connecting\u2026"; }
  showPresets(loadPresets());
  updatePad();
})();

// Roll times: the server writes <time datetime="...Z" data-local-time>HH:mm:ss UTC</time> (what shows without
// JavaScript); this shows them in the viewer's own time zone, including rows that arrive live later.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localise(root) {
    var times = root.querySelectorAll ? root.querySelectorAll("time[data-local-time]") : [];
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime()) || el.dataset.localised === el.getAttribute("datetime")) { continue; }
      el.textContent = pad(when.getHours()) + ":" + pad(when.getMinutes()) + ":" + pad(when.getSeconds());
      el.title = when.toLocaleString();
      el.dataset.localised = el.getAttribute("datetime");
    }
  }

  localise(document);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) { if (node.nodeType === 1) { localise(node.parentNode || node); } });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

// A row's menu (Permalink, Copy link) closes when you click elsewhere or press Escape (focus returns to it).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var open = document.querySelectorAll("details.row-menu[open]");
    for (var i = 0; i < open.length; i++) {
      if (!open[i].contains(event.target)) { open[i].removeAttribute("open"); }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var menu = event.target.closest && event.target.closest("details.row-menu[open]");
    if (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    }
  });
})();
