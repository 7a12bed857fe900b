// Beyond the room-creation burst the server asks for a proof of work (only then is this script in the page): a nonce
// such that SHA-256(token:nonce) starts with N zero bits. No puzzle: the browser does it in about a second.
(() => {
  "use strict";
  const form = document.getElementById("create-form"), encoder = new TextEncoder();
  if (!form || !form.dataset.powBits) { return; }
  const digest = window.crypto && crypto.subtle
    ? (text) => crypto.subtle.digest("SHA-256", encoder.encode(text)).then((hash) => new Uint8Array(hash))
    : (text) => Promise.resolve(sha256(encoder.encode(text)));
  const zeroBits = (bytes, bits) => { for (let i = 0; i < bits; i++) { if (bytes[i >> 3] & (0x80 >> (i & 7))) { return false; } } return true; };

  // Nonces 0, 1, 2, … in base 36, 512 at a time: the first that has the zero bits.
  function solve(token, bits, next) {
    const nonces = Array.from({ length: 512 }, (_, i) => (next + i).toString(36));
    return Promise.all(nonces.map((nonce) => digest(token + ":" + nonce))).then((hashes) => {
      const found = hashes.findIndex((hash) => zeroBits(hash, bits));
      return found >= 0 ? nonces[found] : solve(token, bits, next + nonces.length);
    });
  }

  // SHA-256 for pages served over plain HTTP on a home network, where crypto.subtle does not exist (FIPS 180-4).
  const K = [];
  for (let n = 2; K.length < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) { if (n % d === 0) { prime = false; break; } }
    if (prime) { K.push((Math.pow(n, 1 / 3) % 1) * 4294967296 | 0); }
  }
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  function sha256(bytes) {
    const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19], w = new Array(64);
    const padded = new Uint8Array(((bytes.length + 9 + 63) >> 6) << 6), view = new DataView(padded.buffer);
    padded.set(bytes);
    padded[bytes.length] = 0x80;
    view.setUint32(padded.length - 4, bytes.length * 8);
    view.setUint32(padded.length - 8, Math.floor(bytes.length / 536870912));
    for (let offset = 0; offset < padded.length; offset += 64) {
      for (let t = 0; t < 64; t++) {
        w[t] = t < 16 ? view.getUint32(offset + t * 4) : (w[t - 16] + (rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3)) + w[t - 7] +
          (rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10))) | 0;
      }
      let [a, b, c, d, e, f, g, k] = h;
      for (let t = 0; t < 64; t++) {
        const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        [a, b, c, d, e, f, g, k] = [(t1 + t2) | 0, a, b, c, (d + t1) | 0, e, f, g];
      }
      [a, b, c, d, e, f, g, k].forEach((x, i) => { h[i] = (h[i] + x) | 0; });
    }
    const out = new Uint8Array(32), result = new DataView(out.buffer);
    h.forEach((x, i) => result.setUint32(i * 4, x));
    return out;
  }

  function proveAndCreate() {
    if (form.dataset.powState === "solving") { return; }
    form.dataset.powState = "solving";
    const status = form.querySelector("[data-pow-status]"), error = form.querySelector("[data-error-code='RATE_LIMIT']"), started = Date.now();
    if (error) { error.hidden = true; }
    status.textContent = "Checking your browser\u2026 this takes a second.";
    solve(form.elements.pow_token.value, Number(form.dataset.powBits), 0).then((nonce) => {
      form.elements.pow_nonce.value = nonce;
      form.dataset.powMs = String(Date.now() - started);
      form.dataset.powState = "solved";
      status.textContent = "Done. Creating your room\u2026";
      form.submit();
    }, () => {
      form.dataset.powState = "";
      if (error) { error.hidden = false; }
      status.textContent = "Your browser could not do the check. Please wait and try again.";
    });
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); proveAndCreate(); });
  if (form.dataset.powSolveNow === "true") { proveAndCreate(); }
})();
