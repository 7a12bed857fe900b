// The stream overlay (Live/OverlayPage.cshtml): each public roll the room's stream sends goes on top, the oldest beyond the
// few shown drops off; a revealed roll comes as a new one. The server renders every row; this only places them.
(() => {
  const list = document.querySelector('[data-overlay]');
  if (!list || !window.EventSource) return;
  const shown = Number(list.dataset.shown) || 5;
  const source = new EventSource(list.dataset.stream);
  const place = (event) => {
    const template = document.createElement('template');
    template.innerHTML = event.data.trim();
    const row = template.content.firstElementChild;
    if (!row) return;
    list.querySelector(`[data-roll-id="${CSS.escape(row.dataset.rollId || '')}"]`)?.remove();
    list.prepend(row);
    while (list.children.length > shown) list.lastElementChild.remove();
  };
  source.addEventListener('roll', place);
  source.addEventListener('roll-revealed', place);
  source.addEventListener('connected', () => { list.dataset.live = 'true'; });
  source.addEventListener('overlay-ended', () => {
    source.close();
    list.replaceChildren();
    list.dataset.live = 'ended';
  });
})();
