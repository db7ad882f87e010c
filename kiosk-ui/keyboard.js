// The on-screen keyboard and Vietnamese Telex typing. A keyboard is bound to one <input>; its keys
// are real buttons (touch, mouse and Tab/Enter all work), and a physical keyboard can type into the
// same input. Telex turns "aa" into "â", "dd" into "đ", "uow" into "ươ", and the tone keys
// s f r x j (z removes the tone) into the right vowel of the word.
'use strict';

// Each base vowel with its five toned forms: sắc, huyền, hỏi, ngã, nặng.
const TONED = {
  a: 'áàảãạ', ă: 'ắằẳẵặ', â: 'ấầẩẫậ', e: 'éèẻẽẹ', ê: 'ếềểễệ', i: 'íìỉĩị',
  o: 'óòỏõọ', ô: 'ốồổỗộ', ơ: 'ớờởỡợ', u: 'úùủũụ', ư: 'ứừửữự', y: 'ýỳỷỹỵ',
};
const TONE_KEYS = 'sfrxj';
const SPLIT = {}; // toned or plain vowel -> [base, tone index or -1]
for (const [base, forms] of Object.entries(TONED)) {
  SPLIT[base] = [base, -1];
  [...forms].forEach((c, i) => { SPLIT[c] = [base, i]; });
}
const HATTED = 'ăâêôơư';

function compose(base, tone) { return tone < 0 ? base : TONED[base][tone]; }
function isVowel(c) { return SPLIT[c.toLowerCase()] !== undefined; }

// Index of the vowel that carries the tone in `word` (lower case), or -1.
function toneIndex(word) {
  const chars = [...word];
  let start = 0;
  if ((word.startsWith('qu') || word.startsWith('gi')) && chars.length > 2 && isVowel(chars[2])) start = 2;
  const vowels = [];
  for (let i = start; i < chars.length; i++) if (isVowel(chars[i])) vowels.push(i);
  if (!vowels.length) return -1;
  // A vowel with a hat or horn takes the tone (ơ in ươ).
  for (let k = vowels.length - 1; k >= 0; k--) if (HATTED.includes(SPLIT[chars[vowels[k]]][0])) return vowels[k];
  const last = vowels[vowels.length - 1];
  const endsWithVowel = last === chars.length - 1;
  if (vowels.length >= 2 && endsWithVowel) return vowels[vowels.length - 2];
  return last;
}

// Applies one typed lower-case key to the word in progress; returns the new word.
function telexKey(word, key) {
  const chars = [...word];
  const lower = word.toLowerCase();
  if (TONE_KEYS.includes(key) || key === 'z') {
    const at = toneIndex(lower);
    if (at < 0) return word + key;
    const [base, tone] = SPLIT[chars[at]];
    const wanted = key === 'z' ? -1 : TONE_KEYS.indexOf(key);
    if (key !== 'z' && tone === wanted) { // typed twice: undo and keep the letter
      chars[at] = base;
      return chars.join('') + key;
    }
    if (key === 'z' && tone < 0) return word + key;
    chars[at] = compose(base, wanted);
    return chars.join('');
  }
  const last = chars.length ? chars[chars.length - 1] : '';
  const lastSplit = SPLIT[last];
  if (key === 'd' && last === 'd') { chars[chars.length - 1] = 'đ'; return chars.join(''); }
  if ((key === 'a' || key === 'e' || key === 'o') && lastSplit && lastSplit[0] === key) {
    chars[chars.length - 1] = compose({ a: 'â', e: 'ê', o: 'ô' }[key], lastSplit[1]);
    return chars.join('');
  }
  if (key === 'w') {
    // uo + w -> ươ (also with a tone already on either vowel)
    const prev = chars.length > 1 ? SPLIT[chars[chars.length - 2]] : undefined;
    if (lastSplit && prev && prev[0] === 'u' && lastSplit[0] === 'o') {
      chars[chars.length - 2] = compose('ư', prev[1]);
      chars[chars.length - 1] = compose('ơ', lastSplit[1]);
      return chars.join('');
    }
    // the nearest a, o or u of the word, looking back over final consonants
    for (let i = chars.length - 1; i >= 0; i--) {
      const s = SPLIT[chars[i]];
      if (!s) continue;
      const hooked = { a: 'ă', o: 'ơ', u: 'ư' }[s[0]];
      if (hooked) { chars[i] = compose(hooked, s[1]); return chars.join(''); }
      break;
    }
    return word + key;
  }
  return word + key;
}

// Types `key` at the end of `text` with Telex: only the last word changes.
function telexType(text, key) {
  const m = /^(.*?)([^\s]*)$/s.exec(text);
  return m[1] + telexKey(m[2], key);
}

const LAYOUTS = {
  code: ['1234567890', 'QWERTYUIOP', 'ASDFGHJKL-', 'ZXCVBNM.'],
  text: ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm,.?'],
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
  const type = (key) => {
    if ([...input.value].length >= opts.maxLength) return;
    input.value = telex && opts.layout === 'text' && /^[a-z]$/.test(key) ? telexType(input.value, key) : input.value + key;
    changed();
  };
  const button = (label, aria, cls, action) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'key ' + (cls || '');
    b.textContent = label;
    b.setAttribute('aria-label', aria);
    b.dataset.key = label;
    b.addEventListener('click', action);
    return b;
  };
  for (const row of LAYOUTS[opts.layout]) {
    const line = document.createElement('div');
    line.className = 'key-row';
    for (const key of row) line.appendChild(button(key, key, '', () => type(key)));
    board.appendChild(line);
  }
  const controls = document.createElement('div');
  controls.className = 'key-row key-controls';
  controls.appendChild(button('⌫', t('backspace'), 'key-wide key-backspace', () => {
    input.value = [...input.value].slice(0, -1).join('');
    changed();
  }));
  if (opts.layout === 'text') {
    controls.appendChild(button(t('space'), t('space'), 'key-space', () => type(' ')));
    const toggle = button(telex ? t('telexOn') : t('telexOff'), t('telexOff'), 'key-wide key-telex', () => {
      telex = !telex;
      toggle.textContent = telex ? t('telexOn') : t('telexOff');
      toggle.setAttribute('aria-pressed', String(telex));
    });
    toggle.setAttribute('aria-pressed', String(telex));
    toggle.dataset.key = 'telex';
    controls.appendChild(toggle);
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

window.Keyboard = { createKeyboard, telexType, toneIndex };
