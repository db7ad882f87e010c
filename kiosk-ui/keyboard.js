// The on-screen keyboard. A keyboard is bound to one <input>; its keys are real buttons (touch,
// mouse and Tab/Enter all work), and a physical keyboard can type into the same input. The text
// layout types Vietnamese with Telex (telex.js: marks in any order, as Unikey accepts them), has
// Shift (one capital) and Caps (capitals until pressed again), and a symbols page with digits and
// / - , . : ( ) @ _ for addresses and e-mail addresses.
'use strict';

const LAYOUTS = {
  code: ['1234567890', 'QWERTYUIOP', 'ASDFGHJKL-', 'ZXCVBNM.'],
  text: ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm,.?'],
  symbols: ['1234567890', '/-,.:()@_', '?!+&%#*"\''],
  digits: ['123', '456', '789', '0'],
};

// Builds a keyboard for `input`. options: { layout, telex (bool, text layout only), onEnter,
// enterLabel, maxLength }. Returns the keyboard element.
function createKeyboard(input, options) {
  const t = window.I18N.t;
  const opts = Object.assign({ layout: 'text', telex: false, maxLength: 100 }, options);
  let telex = opts.telex;
  const board = document.createElement('div');
  board.className = 'keyboard keyboard-' + opts.layout;
  board.setAttribute('role', 'group');
  board.setAttribute('aria-label', t('codeLabel'));

  const changed = () => input.dispatchEvent(new Event('input', { bubbles: true }));
  // Telex works on the word being typed: the keys tapped since its start (`raw`) make it again
  // at each key, so a mark typed late still lands right. When the input was changed otherwise
  // (backspace, a physical keyboard), the word is read back from the input.
  let raw = '';
  let before = '';
  let typed = null;
  let shift = false;
  let caps = false;
  const type = (key) => {
    if ([...input.value].length >= opts.maxLength) return;
    const letter = /^[a-z]$/i.test(key);
    if (letter && opts.layout === 'text' && (shift || caps)) key = key.toUpperCase();
    if (letter && telex && opts.layout === 'text') {
      if (input.value !== typed || raw === '') [before, raw] = window.Telex.split(input.value);
      raw += key;
      input.value = before + window.Telex.word(raw);
    } else {
      raw = '';
      input.value += key;
    }
    typed = input.value;
    if (shift) { shift = false; showCase(); }
    changed();
  };
  const button = (label, aria, cls, action) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'key ' + (cls || '');
    b.textContent = label;
    // The accessible name is the visible label, unless the label is a symbol.
    if (aria !== label) b.setAttribute('aria-label', aria);
    b.dataset.key = label;
    b.addEventListener('click', action);
    return b;
  };
  const pages = {};
  for (const layout of opts.layout === 'text' ? ['text', 'symbols'] : [opts.layout]) {
    const page = document.createElement('div');
    page.className = 'key-page key-page-' + layout;
    for (const row of LAYOUTS[layout]) {
      const line = document.createElement('div');
      line.className = 'key-row';
      for (const key of row) {
        const b = button(key, key, /[a-z]/.test(key) ? 'key-letter' : '', () => type(key));
        if (layout === 'symbols') b.dataset.page = 'symbols';
        line.appendChild(b);
      }
      page.appendChild(line);
    }
    pages[layout] = page;
    board.appendChild(page);
  }
  let shiftKey = null;
  let capsKey = null;
  const showCase = () => {
    board.classList.toggle('upper', shift || caps);
    if (shiftKey) shiftKey.setAttribute('aria-pressed', String(shift));
    if (capsKey) capsKey.setAttribute('aria-pressed', String(caps));
  };
  if (opts.layout === 'text') {
    pages.symbols.hidden = true;
    const modifiers = document.createElement('div');
    modifiers.className = 'key-row key-controls';
    shiftKey = button(t('shift'), t('shift'), 'key-wide key-shift', () => { shift = !shift; showCase(); });
    shiftKey.dataset.key = 'shift';
    capsKey = button(t('caps'), t('caps'), 'key-wide key-caps', () => { caps = !caps; shift = false; showCase(); });
    capsKey.dataset.key = 'caps';
    const pageKey = button(t('symbols'), t('symbols'), 'key-wide key-symbols', () => {
      const toSymbols = pages.symbols.hidden;
      pages.symbols.hidden = !toSymbols;
      pages.text.hidden = toSymbols;
      pageKey.textContent = toSymbols ? t('letters') : t('symbols');
      pageKey.setAttribute('aria-pressed', String(toSymbols));
    });
    pageKey.dataset.key = 'symbols';
    pageKey.setAttribute('aria-pressed', 'false');
    modifiers.append(shiftKey, capsKey, pageKey);
    board.appendChild(modifiers);
    showCase();
  }
  const controls = document.createElement('div');
  controls.className = 'key-row key-controls';
  const backspace = button('⌫', t('backspace'), 'key-wide key-backspace', () => {
    input.value = [...input.value].slice(0, -1).join('');
    changed();
  });
  backspace.replaceChildren(window.Icons.icon('backspace')); // drawn: no symbol font needed
  controls.appendChild(backspace);
  if (opts.layout === 'text') {
    controls.appendChild(button(t('space'), t('space'), 'key-space', () => type(' ')));
    const toggle = button(telex ? t('telexOn') : t('telexOff'), telex ? t('telexOn') : t('telexOff'), 'key-wide key-telex', () => {
      telex = !telex;
      toggle.textContent = telex ? t('telexOn') : t('telexOff');
      toggle.setAttribute('aria-pressed', String(telex));
    });
    toggle.setAttribute('aria-pressed', String(telex));
    toggle.dataset.key = 'telex';
    board.lastElementChild.appendChild(toggle); // the row of Shift, Caps and the symbols page
  }
  controls.appendChild(button(t('clear'), t('clear'), 'key-wide key-clear', () => { input.value = ''; changed(); }));
  if (opts.onEnter) {
    const enter = button(opts.enterLabel || t('search'), opts.enterLabel || t('search'), 'key-wide key-enter primary', () => opts.onEnter());
    enter.dataset.key = 'enter';
    controls.appendChild(enter);
  }
  board.appendChild(controls);
  return board;
}

window.Keyboard = { createKeyboard };
