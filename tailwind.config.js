// Tailwind 4 reads this file through the `@config` line in static/css/app.src.css.
// Colours point at the CSS custom properties defined there, so every utility built
// from them follows the light/dark palette (both checked for WCAG AA contrast).

/** @type {import('tailwindcss').Config} */
module.exports = {
  content: [
    './DiceRoller/**/*.cshtml',
    './DiceRoller/**/*.cs',
    './static/js/room.js',
    './static/js/pow.js',
    './static/js/seed.js',
  ],
  darkMode: 'media',
  theme: {
    extend: {
      colors: {
        page: 'var(--dr-page)',
        surface: 'var(--dr-surface)',
        ink: 'var(--dr-ink)',
        muted: 'var(--dr-muted)',
        edge: 'var(--dr-edge)',
        accent: 'var(--dr-accent)',
        'accent-ink': 'var(--dr-accent-ink)',
      },
      minHeight: {
        target: '2.75rem',
      },
      minWidth: {
        target: '2.75rem',
      },
    },
  },
};
