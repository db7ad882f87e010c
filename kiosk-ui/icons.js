// The kiosk's icons as inline SVG, drawn with the text colour: they need no emoji or symbol font
// on the kiosk machine. Every icon is decorative (hidden from assistive technology): the control
// it sits in is named by its text.
'use strict';
(function (root) {
  // 24 × 24 drawings: [element, attributes] pairs, stroked unless they say fill.
  const DRAWINGS = {
    search: [['circle', { cx: 10, cy: 10, r: 6 }], ['path', { d: 'M14.5 14.5 20 20' }]],
    list: [['rect', { x: 5, y: 3, width: 14, height: 18, rx: 2 }], ['path', { d: 'M8 8h8M8 12h8M8 16h5' }]],
    mail: [['rect', { x: 3, y: 6, width: 18, height: 12, rx: 2 }], ['path', { d: 'M3 7l9 6 9-6' }]],
    smile: [['circle', { cx: 12, cy: 12, r: 9 }], ['path', { d: 'M8 14.5q4 3.5 8 0' }],
      ['circle', { cx: 9, cy: 10, r: 1, fill: true }], ['circle', { cx: 15, cy: 10, r: 1, fill: true }]],
    neutral: [['circle', { cx: 12, cy: 12, r: 9 }], ['path', { d: 'M8 15.5h8' }],
      ['circle', { cx: 9, cy: 10, r: 1, fill: true }], ['circle', { cx: 15, cy: 10, r: 1, fill: true }]],
    frown: [['circle', { cx: 12, cy: 12, r: 9 }], ['path', { d: 'M8 16.5q4-3.5 8 0' }],
      ['circle', { cx: 9, cy: 10, r: 1, fill: true }], ['circle', { cx: 15, cy: 10, r: 1, fill: true }]],
    chart: [['path', { d: 'M3 20h18M6 20v-7M12 20V6M18 20v-10' }]],
    phone: [['path', { d: 'M6 3h3l2 5-2 1.5a11 11 0 0 0 5.5 5.5L16 13l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 4 5a2 2 0 0 1 2-2z' }]],
    scan: [['rect', { x: 3, y: 3, width: 7, height: 7 }], ['rect', { x: 14, y: 3, width: 7, height: 7 }],
      ['rect', { x: 3, y: 14, width: 7, height: 7 }], ['path', { d: 'M14 14h3v3h-3zM18 18h3v3h-3zM14 19h2M19 14h2' }]],
    home: [['path', { d: 'M3 11l9-7 9 7M5 9.5V20h5v-6h4v6h5V9.5' }]],
    back: [['path', { d: 'M20 12H5M11 6l-6 6 6 6' }]],
    chevron: [['path', { d: 'M9 5l7 7-7 7' }]],
    warning: [['path', { d: 'M12 3 2 20h20zM12 10v4' }], ['circle', { cx: 12, cy: 17, r: 1, fill: true }]],
    backspace: [['path', { d: 'M21 5H9l-6 7 6 7h12zM12 9l6 6M18 9l-6 6' }]],
    star: [['path', { d: 'M12 2.5l2.9 6.2 6.6.7-5 4.5 1.4 6.6L12 17.2l-5.9 3.3 1.4-6.6-5-4.5 6.6-.7z', fill: true }]],
  };
  const NS = 'http://www.w3.org/2000/svg';

  // An <svg> of icon `name` with class `cls`, sized 1em × 1em (so CSS font-size sizes it).
  function icon(name, cls) {
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '1em');
    svg.setAttribute('height', '1em');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'icon' + (cls ? ' ' + cls : ''));
    svg.dataset.icon = name;
    for (const [tag, attrs] of DRAWINGS[name]) {
      const el = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) if (k !== 'fill') el.setAttribute(k, String(v));
      if (attrs.fill) {
        el.setAttribute('fill', 'currentColor');
        el.setAttribute('stroke', 'none');
      } else {
        el.setAttribute('fill', 'none');
        el.setAttribute('stroke', 'currentColor');
        el.setAttribute('stroke-width', '2');
        el.setAttribute('stroke-linecap', 'round');
        el.setAttribute('stroke-linejoin', 'round');
      }
      svg.appendChild(el);
    }
    return svg;
  }

  root.Icons = { icon, names: Object.keys(DRAWINGS) };
})(window);
