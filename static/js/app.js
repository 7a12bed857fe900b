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
    say(row.getAttribute("data-roll-id") + " " + text, text);
  }

  // Writes a sentence into the polite live region once per key.
  function say(key, text) {
    var region = byId("announcer");
    if (!region || announced[key]) { return; }
    announced[key] = true;
    var line = document.createElement("p");
    line.textContent = text;
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
      say("knock " + knock.getAttribute("data-knock-id"), knock.getAttribute("data-announce-knock"));
    });
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
    if (message.type === "room-closed" || message.type === "player-kicked") {
      if (message.target && message.target.close) { message.target.close(); }
      container.removeAttribute("sse-connect");
      setStatus("closed", "Closed");
      endRoom(container, message.type);

    } else if (message.type === "mode-changed") {
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
})();
