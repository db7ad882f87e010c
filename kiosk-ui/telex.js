// Vietnamese Telex typing, as Unikey users expect it: "aa" â, "aw" ă, "ow" ơ, "uw" ư, "uow" ươ,
// "dd" đ, and the tone keys s f r x j (z removes the tone). Marks may come in any order: a hat,
// horn or tone typed after later letters ("dduocwj", "nguoiwf", "tiengse") still lands on the right
// vowel, and the tone moves when the word grows, by the modern placement rule (hoá, thuý, khoẻ).
// A mark is applied only when the word stays a possible Vietnamese syllable, so e-mail addresses
// and foreign words keep their letters ("yahoo", "emails"). A key typed twice undoes its mark and
// is kept as a letter ("ass" as, "ddd" dd, "ww" w). Capitals keep their place.
//
// Pure functions: loaded by the kiosk page (window.Telex) and by Node's test runner (module.exports).
'use strict';
(function (root) {
  // Each base vowel with its five toned forms: sắc, huyền, hỏi, ngã, nặng.
  const TONED = {
    a: 'áàảãạ', ă: 'ắằẳẵặ', â: 'ấầẩẫậ', e: 'éèẻẽẹ', ê: 'ếềểễệ', i: 'íìỉĩị',
    o: 'óòỏõọ', ô: 'ốồổỗộ', ơ: 'ớờởỡợ', u: 'úùủũụ', ư: 'ứừửữự', y: 'ýỳỷỹỵ',
  };
  const TONE_KEYS = 'sfrxj';
  const SPLIT = {}; // a lower-case vowel, toned or not -> [base, tone index or -1]
  for (const [base, forms] of Object.entries(TONED)) {
    SPLIT[base] = [base, -1];
    [...forms].forEach((c, i) => { SPLIT[c] = [base, i]; });
  }
  const HAT = { a: 'â', e: 'ê', o: 'ô' };
  const HOOK = { a: 'ă', o: 'ơ', u: 'ư' };
  const PLAIN = { â: 'a', ă: 'a', ê: 'e', ô: 'o', ơ: 'o', ư: 'u' };
  const MARKED = 'ăâêôơư';

  const INITIALS = ['ngh', 'ng', 'nh', 'ch', 'gh', 'gi', 'kh', 'ph', 'qu', 'th', 'tr',
    'b', 'c', 'd', 'đ', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'x', ''];
  const NUCLEI = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y',
    'ai', 'ao', 'au', 'ay', 'âu', 'ây', 'eo', 'êu', 'ia', 'iê', 'iu', 'oa', 'oă', 'oe', 'oi', 'ôi',
    'ơi', 'oo', 'ua', 'uâ', 'uê', 'ui', 'uô', 'uơ', 'uy', 'ưa', 'ưi', 'ươ', 'ưu', 'yê',
    'iêu', 'oai', 'oao', 'oay', 'oeo', 'uây', 'uôi', 'uya', 'uyê', 'uyu', 'ươi', 'ươu', 'yêu'];
  const FINALS = ['c', 'ch', 'm', 'n', 'ng', 'nh', 'p', 't'];
  // Nuclei as they may stand while being typed: any marked vowel may still be plain ("uo" on
  // the way to "ươ", "ie" to "iê").
  function loosened(text) {
    let forms = [''];
    for (const c of text) {
      const plain = { ă: 'a', â: 'a', ê: 'e', ô: 'o', ơ: 'o', ư: 'u' }[c];
      forms = forms.flatMap((f) => (plain ? [f + c, f + plain] : [f + c]));
    }
    return forms;
  }
  const NUCLEUS_PREFIXES = new Set();
  const WHOLE_NUCLEI = new Set();
  for (const n of NUCLEI) {
    for (const form of loosened(n)) WHOLE_NUCLEI.add(form);
    for (let i = 1; i <= n.length; i++) for (const form of loosened(n.slice(0, i))) NUCLEUS_PREFIXES.add(form);
  }
  const FINAL_PREFIXES = new Set(['']);
  for (const f of FINALS) for (let i = 1; i <= f.length; i++) FINAL_PREFIXES.add(f.slice(0, i));

  const isVowel = (c) => SPLIT[c] !== undefined;

  // Whether `base` (lower case, no tone) can still become a Vietnamese syllable.
  function possible(base) {
    for (const initial of INITIALS) {
      if (!base.startsWith(initial)) continue;
      const rest = base.slice(initial.length);
      if (rest === '') return true;
      const m = /^([aăâeêioôơuưy]*)(.*)$/.exec(rest);
      const [, nucleus, tail] = m;
      if (nucleus === '' || /[aăâeêioôơuưy]/.test(tail)) continue;
      if (tail === '' ? NUCLEUS_PREFIXES.has(nucleus) : WHOLE_NUCLEI.has(nucleus) && FINAL_PREFIXES.has(tail)) return true;
    }
    return false;
  }

  // [start, end) of the vowels that carry the tone in `base`: after the initial ("gi" and "qu"
  // count as initials when a vowel follows), up to the final consonant.
  function nucleusOf(base) {
    const chars = [...base];
    let start = 0;
    while (start < chars.length && !isVowel(chars[start])) start++;
    if (start > 0 && start + 1 < chars.length && isVowel(chars[start + 1])) {
      const pair = chars[start - 1] + chars[start];
      if (pair === 'qu' || pair === 'gi') start++;
    }
    let end = start;
    while (end < chars.length && isVowel(chars[end])) end++;
    return [start, end];
  }

  // The index of the vowel of `base` that carries the tone, by the modern rule, or -1.
  function toneIndex(base) {
    const chars = [...base];
    const [start, end] = nucleusOf(base);
    if (start === end) return -1;
    const nucleus = chars.slice(start, end).join('');
    const horned = nucleus.indexOf('ươ');
    if (horned >= 0) return start + horned + 1;
    for (let i = end - 1; i >= start; i--) if (MARKED.includes(chars[i])) return i;
    const count = end - start;
    if (count === 1) return start;
    if (end < chars.length) return end - 1; // a final consonant: the last vowel (toán, hoàng)
    if (count === 2) return ['oa', 'oe', 'uy'].includes(nucleus) ? start + 1 : start;
    return start + 1; // three vowels: the middle one (ngoài, khuỷu)
  }

  // A word as lower-case untoned letters, each one's capital flag, and its tone (-1: none).
  function decompose(word) {
    const letters = [];
    const upper = [];
    let tone = -1;
    for (const c of word) {
      const lower = c.toLowerCase();
      upper.push(c !== lower);
      const split = SPLIT[lower];
      if (split) {
        letters.push(split[0]);
        if (split[1] >= 0) tone = split[1];
      } else {
        letters.push(lower);
      }
    }
    return { letters, upper, tone };
  }

  function compose({ letters, upper, tone }) {
    const chars = letters.slice();
    // "ưo" and "uơ" before a final or a third vowel are "ươ", however the horns were typed
    // ("dduwocj" được, "thuowng" thương); "thuở" and "huơ" stay.
    for (let i = 0; i + 2 < chars.length; i++) {
      const pair = chars[i] + chars[i + 1];
      if ((pair === 'ưo' || pair === 'uơ') && !(i > 0 && chars[i - 1] === 'q')) {
        chars[i] = 'ư';
        chars[i + 1] = 'ơ';
      }
    }
    if (tone >= 0) {
      const at = toneIndex(chars.join(''));
      if (at >= 0) chars[at] = TONED[chars[at]][tone];
    }
    return chars.map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
  }

  const copy = (w) => ({ letters: w.letters.slice(), upper: w.upper.slice(), tone: w.tone });
  const valid = (w) => possible(w.letters.join(''));

  function appendKey(w, key) {
    const out = copy(w);
    out.letters.push(key.toLowerCase());
    out.upper.push(key !== key.toLowerCase());
    return out;
  }

  // The candidates a mark key offers for word `w`, best first; the first possible one is taken.
  function candidates(w, k) {
    const found = [];
    const [start, end] = nucleusOf(w.letters.join(''));
    if (TONE_KEYS.includes(k)) {
      if (start !== end) found.push(Object.assign(copy(w), { tone: TONE_KEYS.indexOf(k) }));
    } else if (k === 'z') {
      if (w.tone >= 0) found.push(Object.assign(copy(w), { tone: -1 }));
    } else if (k === 'd') {
      if (w.letters[0] === 'd') {
        const out = copy(w);
        out.letters[0] = 'đ';
        found.push(out);
      }
    } else if (HAT[k]) {
      for (let i = end - 1; i >= start; i--) {
        const c = w.letters[i];
        if (c === k || (PLAIN[c] === k && c !== HAT[k])) {
          const out = copy(w);
          out.letters[i] = HAT[k];
          found.push(out);
        }
      }
    } else if (k === 'w') {
      const nucleus = w.letters.slice(start, end).map((c) => PLAIN[c] || c).join('');
      const uo = nucleus.indexOf('uo');
      if (uo >= 0 && !(w.letters[start + uo] === 'ư' && w.letters[start + uo + 1] === 'ơ')) {
        const out = copy(w);
        out.letters[start + uo] = 'ư';
        out.letters[start + uo + 1] = 'ơ';
        found.push(out);
      }
      for (let i = end - 1; i >= start; i--) {
        const c = w.letters[i];
        if (HOOK[c]) {
          const out = copy(w);
          out.letters[i] = HOOK[c];
          found.push(out);
        }
      }
      if (start === end) found.push(appendKey(w, 'ư'));
    }
    return found;
  }

  // Undoing a mark typed twice: the marked letters lose the mark and the key is kept as a letter.
  function undo(w, k, key) {
    const [start, end] = nucleusOf(w.letters.join(''));
    if (TONE_KEYS.includes(k)) {
      if (w.tone !== TONE_KEYS.indexOf(k)) return null;
      return appendKey(Object.assign(copy(w), { tone: -1 }), key);
    }
    if (k === 'd') {
      if (w.letters.length !== 1 || w.letters[0] !== 'đ') return null;
      const out = copy(w);
      out.letters[0] = 'd';
      return appendKey(out, key);
    }
    const marks = HAT[k] ? [HAT[k]] : k === 'w' ? ['ă', 'ơ', 'ư'] : [];
    const at = [];
    for (let i = start; i < end; i++) if (marks.includes(w.letters[i])) at.push(i);
    if (!at.length) return null;
    // "w" alone typed ư: typed again, it is the letter w.
    if (k === 'w' && w.letters.length === 1) return appendKey({ letters: [], upper: [], tone: -1 }, key);
    const out = copy(w);
    for (const i of at) out.letters[i] = PLAIN[out.letters[i]];
    return appendKey(out, key);
  }

  // Applies one key to `word`; returns the new word. `key` may be a capital (Shift or Caps).
  function typeKey(word, key) {
    const k = key.toLowerCase();
    const w = decompose(word);
    if (!/^[a-zđ]$/.test(k)) return word + key;
    const isMark = TONE_KEYS.includes(k) || k === 'z' || k === 'd' || HAT[k] || k === 'w';
    if (isMark && valid(w)) {
      // The same tone typed again is an undo, not a candidate.
      const again = TONE_KEYS.includes(k) && w.tone === TONE_KEYS.indexOf(k);
      const next = again ? null : candidates(w, k).find(valid);
      if (next) return compose(next);
      const undone = undo(w, k, key);
      if (undone) return compose(undone);
    }
    return compose(appendKey(w, key));
  }

  // The word the keys `raw` (letters typed since the last space or symbol) make. When the marks
  // would leave something that cannot be a Vietnamese word, the keys stand as typed, as Unikey
  // restores them: "website", not "ưebsite".
  function word(raw) {
    let out = '';
    for (const key of raw) out = typeKey(out, key);
    const marked = /[^\u0000-\u007f]/.test(out);
    if (marked && out !== raw && !possible(decompose(out).letters.join(''))) return raw;
    return out;
  }

  // The text before the word being typed (up to the last letter that is not part of it) and
  // that word's letters.
  function split(text) {
    const m = /^(.*?)(\p{L}*)$/su.exec(text);
    return [m[1], m[2]];
  }

  // Types every character of `keys` as on-screen keys, as the kiosk's keyboard does (for tests).
  function typeAll(keys) {
    let before = '';
    let raw = '';
    for (const key of keys) {
      if (/\p{L}/u.test(key)) {
        raw += key;
      } else {
        before += word(raw) + key;
        raw = '';
      }
    }
    return before + word(raw);
  }

  const api = { word, split, typeAll, toneIndex, possible };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.Telex = api;
})(typeof window === 'object' ? window : globalThis);
