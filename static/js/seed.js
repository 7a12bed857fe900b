// A new member's client seed (docs/fairness.md), made here so the server alone cannot choose their dice: 16 random
// bytes as hex. Without JavaScript the field stays empty and the server makes one (and says so).
document.querySelectorAll("input[data-client-seed-new]").forEach((input) => {
  if (!input.value && window.crypto) { input.value = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""); }
});
