// The kiosk app: one page, screens rendered into <main id="view">. Talks only to tracuu's JSON API
// (same origin), sends its kiosk id with every request, returns home and forgets everything after
// an idle timeout, recognises a keyboard-wedge scanner by its typing speed, and shows a clear
// "service unavailable" state that retries by itself.
'use strict';

(function () {
  const { t, setLang, lang, statusPlain, timelinessLabel } = window.I18N;
  const { createKeyboard } = window.Keyboard;
  const { icon } = window.Icons;

  // ---------------------------------------------------------------- configuration
  const params = new URLSearchParams(location.search);
  const KIOSK_ID_RE = /^[A-Za-z0-9._-]{1,40}$/;
  const urlKiosk = params.get('kiosk');
  const urlIdle = Number(params.get('idle'));
  const config = {
    kioskId: urlKiosk && KIOSK_ID_RE.test(urlKiosk) ? urlKiosk : null,
    kioskKey: null,
    idleSecs: Number.isFinite(urlIdle) && urlIdle >= 3 && urlIdle <= 3600 ? urlIdle : 60,
    idleFromUrl: Number.isFinite(urlIdle) && urlIdle >= 3 && urlIdle <= 3600,
    province: '',
    hotline: '',
  };
  // The kiosk's key (docs/channels/kiosk.md): given once in the launch URL (`&key=`), kept in
  // localStorage for this kiosk id and taken out of the address, so it is not shown or bookmarked.
  const KIOSK_KEY_RE = /^[\x21-\x7e]{16,200}$/;
  const KEY_STORE = 'tracuu.kioskKey';
  (function loadKioskKey() {
    if (!config.kioskId) return;
    const urlKey = params.get('key');
    try {
      if (urlKey && KIOSK_KEY_RE.test(urlKey)) {
        localStorage.setItem(KEY_STORE, JSON.stringify({ id: config.kioskId, key: urlKey }));
      }
      const stored = JSON.parse(localStorage.getItem(KEY_STORE) || 'null');
      if (stored && stored.id === config.kioskId && KIOSK_KEY_RE.test(stored.key)) config.kioskKey = stored.key;
    } catch (e) {
      if (urlKey && KIOSK_KEY_RE.test(urlKey)) config.kioskKey = urlKey; // no storage: this page only
    }
    if (params.has('key')) {
      const kept = new URLSearchParams(location.search);
      kept.delete('key');
      const query = kept.toString();
      history.replaceState(history.state, '', location.pathname + (query ? '?' + query : '') + location.hash);
    }
  })();
  const SCAN_MIN_CHARS = 6;      // shorter bursts are not a scan
  const SCAN_MAX_GAP_MS = 50;    // a scanner types faster than any person
  const SCAN_REPEAT_MS = 2000;   // the same scan again within this is ignored
  const REQUEST_TIMEOUT_MS = 8000;
  const RETRY_DELAYS = [3, 5, 10, 15];

  // ---------------------------------------------------------------- DOM helpers
  const $ = (id) => document.getElementById(id);
  // h('div.class', {attrs}, children...) — text children are always text nodes (never HTML).
  function h(tag, attrs, ...children) {
    const [name, ...classes] = tag.split('.');
    const el = document.createElement(name);
    if (classes.length) el.className = classes.join(' ');
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return el;
  }
  const button = (cls, label, onClick, attrs) =>
    h('button' + cls, Object.assign({ type: 'button', on: { click: onClick } }, attrs || {}), label);

  // "2026-11-20T09:15:00+07:00" -> "20/11/2026 09:15" (times are already Vietnam time).
  function fmtTime(s, withTime = true) {
    if (!s || s.length < 16) return '';
    const date = `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}`;
    return withTime ? `${date} ${s.slice(11, 16)}` : date;
  }
  // When a slip is printed, in Vietnam time and the dd/mm/yyyy style of the other dates.
  function printedAt() { return fmtTime(new Date().toLocaleString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' })); }
  // The public site as configured (a kiosk's own address is often an intranet one).
  function publicBase() { return (config.publicBase || location.origin).replace(/\/+$/, ''); }
  function slipFoot() {
    return [
      h('p.slip-foot', {}, t('slipSite') + ': ' + publicBase() + '/tra-cuu'),
      h('p.slip-foot', {}, t('slipPrinted') + ' ' + printedAt())];
  }
  // 85.2 -> "85,2" in Vietnamese, "85.2" in English; nothing settled -> "—".
  function fmtPercent(p) {
    return typeof p === 'number' ? p.toLocaleString(lang() === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 }) : '—';
  }
  function fmtMoney(vnd) { return vnd.toLocaleString('vi-VN') + (lang() === 'vi' ? ' đồng' : ' VND'); }
  function fmtDays(n) { return n === 0 ? t('sameDay') : t('workingDays', { n }); }
  // Folds text for matching as citizens type it: no diacritics (đ is d), lower case, so "binh son"
  // finds "Bình Sơn" (the server's tracuu_fold does the same for procedure search).
  function fold(text) {
    return (text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
  }
  // Whether every typed word begins a word of `text` ("son" finds "Bình Sơn", not "Tây Sơn" for "ay").
  function matchesWords(text, typed) {
    const words = fold(text).split(/[^a-z0-9]+/).filter(Boolean);
    return fold(typed).split(/[^a-z0-9]+/).filter(Boolean).every((w) => words.some((x) => x.startsWith(w)));
  }
  // A list of `items` with a text box and the on-screen keyboard (Telex in Vietnamese) above it:
  // typing keeps the items whose `text(item)` has every typed word (without diacritics).
  // `render(items)` draws the kept items into the list slot.
  function filterable(slot, items, { id, label, text, render }) {
    const input = h('input.code-input.search-input', { id, type: 'text', inputmode: 'none', autocomplete: 'off', spellcheck: 'false', maxlength: '60' });
    const count = h('p.count', { id: id + '-count', 'aria-live': 'polite' });
    const list = h('div.filtered', {});
    const update = () => {
      const typed = input.value.trim();
      const kept = typed ? items.filter((item) => matchesWords(text(item), typed)) : items;
      count.textContent = t('placesShown', { n: kept.length });
      list.replaceChildren();
      if (!kept.length) list.appendChild(h('p.empty', {}, t('noPlaces')));
      else list.appendChild(render(kept));
    };
    input.addEventListener('input', update);
    slot.append(
      h('form.search-form', { on: { submit: (e) => e.preventDefault() } },
        h('label.field-label', { for: id }, label),
        h('div.input-row', {}, input)),
      createKeyboard(input, { layout: 'text', telex: lang() === 'vi', maxLength: 60 }),
      count, list);
    update();
  }

  // ---------------------------------------------------------------- API
  class Unavailable extends Error {}
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || 'HTTP ' + status);
      this.status = status;
      this.code = body && body.error ? body.error.code : 'internal';
      // The input at fault, by its machine name (`address`, `phone`, …), when the API names one.
      this.field = body && body.error && typeof body.error.field === 'string' ? body.error.field : null;
      // The expected form, with an example, when the API gives one.
      this.hint = body && body.error && typeof body.error.hint === 'string' ? body.error.hint : null;
    }
  }
  function kioskId() { return config.kioskId || config.serverKioskId || 'kiosk'; }

  async function api(path, options = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
    if (config.kioskId || config.serverKioskId) headers['X-Kiosk-Id'] = kioskId();
    if (config.kioskKey) headers['X-Kiosk-Key'] = config.kioskKey;
    let response;
    try {
      response = await fetch(path, Object.assign({}, options, { headers, signal: controller.signal, cache: 'no-store' }));
    } catch (e) {
      throw new Unavailable(String(e));
    } finally {
      clearTimeout(timer);
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.ok) return body;
    if ([502, 503, 504].includes(response.status) || (body && body.error && body.error.code === 'upstream_unavailable')) {
      throw new Unavailable('HTTP ' + response.status);
    }
    if (body === null) throw new Unavailable('no JSON from HTTP ' + response.status);
    throw new ApiError(response.status, body);
  }

  // ---------------------------------------------------------------- screens and navigation
  const state = {
    screen: 'home',
    stack: [],          // previous screens: [{name, arg}]
    timers: new Set(),  // per-screen timeouts, cleared on navigation
    lastScan: { text: '', at: 0 },
    lastActivity: Date.now(),
  };
  const screens = {};

  function later(fn, ms) {
    const id = setTimeout(() => { state.timers.delete(id); fn(); }, ms);
    state.timers.add(id);
    return id;
  }
  function clearTimers() { for (const id of state.timers) clearTimeout(id); state.timers.clear(); }

  function show(name, arg, { push = true } = {}) {
    if (push && state.screen !== name) state.stack.push({ name: state.screen, arg: state.arg });
    if (!push) { /* replacing the current screen */ }
    clearTimers();
    state.resultShown = null;
    state.screen = name;
    state.arg = arg;
    const view = $('view');
    view.replaceChildren();
    view.dataset.screen = name;
    document.body.dataset.screen = name;
    screens[name](view, arg);
    $('nav-back').disabled = state.stack.length === 0;
    $('nav-back').hidden = name === 'home';
    $('nav-home').hidden = name === 'home';
    view.scrollTop = 0;
  }
  function back() {
    if (state.screen === 'lookup' && state.resultShown) {
      const note = $('scan-note');
      if (note) note.remove();
      renderLookupForm(state.resultShown.body, state.resultShown.raw);
      return;
    }
    const previous = state.stack.pop();
    if (previous) show(previous.name, previous.arg, { push: false });
    else show('home', null, { push: false });
  }
  function goHome() { state.stack = []; show('home', null, { push: false }); }

  function screenTitle(text) { return h('h2.screen-title', { id: 'screen-title' }, text); }

  // Runs `load` and hands its result to `render`; while the API is unreachable, shows the
  // unavailable panel in `slot` and retries with growing delays. Returns nothing.
  function loadInto(slot, load, render, attempt = 0) {
    slot.replaceChildren(h('p.loading', { role: 'status' }, t('loading')));
    load().then((data) => {
      slot.replaceChildren();
      render(data, slot);
    }).catch((error) => {
      if (error instanceof Unavailable) {
        showUnavailable(slot, () => loadInto(slot, load, render, attempt + 1), attempt);
      } else {
        slot.replaceChildren(h('p.error', { role: 'alert' }, errorText(error)));
      }
    });
  }

  // `what`, when given, names what is retried (the code being looked up), so the citizen knows
  // their request is kept.
  function showUnavailable(slot, retry, attempt, what) {
    let seconds = RETRY_DELAYS[Math.min(attempt, RETRY_DELAYS.length - 1)];
    const text = h('p', {}, t('unavailableText', { s: seconds }));
    const panel = h('div.unavailable', { role: 'alert', 'data-state': 'unavailable' },
      h('div.unavailable-icon', { 'aria-hidden': 'true' }, icon('warning')),
      h('h3', {}, t('unavailableTitle')),
      what ? h('p.retrying', { id: 'retrying' }, what) : null,
      text,
      button('.primary.big', t('retryNow'), () => { clearTimeout(tick); retry(); }));
    slot.replaceChildren(panel);
    document.body.classList.add('api-down');
    let tick;
    const step = () => {
      seconds -= 1;
      if (seconds <= 0) { retry(); return; }
      text.textContent = t('unavailableText', { s: seconds });
      tick = later(step, 1000);
    };
    tick = later(step, 1000);
  }

  function errorText(error) {
    if (!(error instanceof ApiError)) return t('errorGeneric');
    switch (error.code) {
      case 'dossier_not_found': return t('errorNotFound');
      case 'rate_limited': return t('errorRateLimited');
      case 'kiosk_key_invalid': return t('errorKioskKey');
      case 'invalid_dossier_code': case 'invalid_lookup_number': case 'lookup_number_typo':
      case 'invalid_phone4': case 'invalid_input': case 'invalid_rating':
        // The API's words with its example of the expected form, in Vietnamese.
        return lang() === 'vi' ? error.message + (error.hint ? ' ' + error.hint : '') : t('errorInvalidCode');
      default: return t('errorGeneric');
    }
  }

  // ---------------------------------------------------------------- home
  screens.home = (view) => {
    const tiles = [
      ['lookup', 'tileLookup', 'tileLookupHint', 'search'],
      ['procedures', 'tileProcedures', 'tileProceduresHint', 'list'],
      ['questions', 'tileQuestions', 'tileQuestionsHint', 'mail'],
      ['rating', 'tileRating', 'tileRatingHint', 'smile'],
      ['stats', 'tileStats', 'tileStatsHint', 'chart'],
      ['contacts', 'tileContacts', 'tileContactsHint', 'phone'],
    ];
    view.appendChild(h('div.screen.home',
      {},
      h('div.scan-hint', { role: 'note' }, h('span.scan-icon', { 'aria-hidden': 'true' }, icon('scan')), h('p', {}, t('scanHint'))),
      h('p.subtitle', {}, t('subtitle')),
      h('div.tiles', { role: 'list' }, tiles.map(([name, title, hint, drawing]) =>
        h('button.tile', { type: 'button', role: 'listitem', 'data-tile': name, 'aria-label': t(title) + '. ' + t(hint), on: { click: () => show(name) } },
          h('span.tile-icon', { 'aria-hidden': 'true' }, icon(drawing)),
          h('span.tile-title', {}, t(title)),
          h('span.tile-hint', {}, t(hint)))))));
  };

  // ---------------------------------------------------------------- dossier lookup
  // Parses typed or scanned text: a QR URL ".../q/<code>?k=<token>", a 10-digit lookup number,
  // or a dossier code. The server parses codes tolerantly; here only the shape is checked.
  function parseLookupInput(raw) {
    const text = (raw || '').trim();
    if (!text) return { error: 'errorEmpty' };
    // The link, or its end only: a scanner slowed by a busy machine may deliver the tail of the
    // link ("<code>?k=<token>") as a burst of its own.
    const qr = /\/q\/([^/?#\s]+)(?:\?([^#\s]*))?/.exec(text)
      || /^([^/?#\s]+)\?((?:[^#\s]*&)?k=[^#\s]*)$/.exec(text);
    if (qr) {
      let code;
      try { code = decodeURIComponent(qr[1]); } catch (e) { return { error: 'errorInvalidCode' }; }
      const token = new URLSearchParams(qr[2] || '').get('k');
      // The token proves the receipt is in hand: it is sent with the lookup for the detailed
      // view, and never shown.
      return { kind: 'code', value: code, token: token ? token.slice(0, 40) : null };
    }
    // The letter O typed for the digit 0 is a 0, as the server reads it.
    const digits = text.replace(/[\s.]/g, '').replace(/[oO]/g, '0');
    if (/\d/.test(text) && /^\d+$/.test(digits)) {
      return digits.length === 10 ? { kind: 'number', value: digits } : { error: 'errorInvalidCode' };
    }
    if (text.length > 60) return { error: 'errorInvalidCode' };
    return { kind: 'code', value: text };
  }

  // The QR token of a scanned receipt link goes with the code: a valid one unlocks the detailed
  // view, as on the landing page a phone opens.
  function lookupPath(parsed, phone4) {
    const base = parsed.kind === 'number'
      ? '/api/v1/lookup-numbers/' + encodeURIComponent(parsed.value)
      : '/api/v1/dossiers/' + encodeURIComponent(parsed.value);
    const query = new URLSearchParams();
    if (parsed.kind === 'code' && parsed.token) query.set('k', parsed.token);
    if (phone4) query.set('phone4', phone4);
    const text = query.toString();
    return text ? base + '?' + text : base;
  }

  screens.lookup = (view, arg) => {
    const screen = h('div.screen.lookup', {});
    view.appendChild(screen);
    screen.appendChild(screenTitle(t('lookupTitle')));
    // A scan is acknowledged in the flow of the screen, above the result: it covers nothing.
    if (arg && arg.scanned) screen.appendChild(h('p.scan-note', { id: 'scan-note', role: 'status' }, icon('scan'), ' ' + t('scanned')));
    const body = h('div.lookup-body', {});
    screen.appendChild(body);
    renderLookupForm(body, arg && arg.prefill ? arg.prefill : '');
    if (arg && arg.prefill) submitLookup(body, arg.prefill);
  };

  function renderLookupForm(body, value, message) {
    state.resultShown = null;
    const input = h('input.code-input', {
      id: 'code', name: 'code', type: 'text', inputmode: 'none', autocomplete: 'off',
      autocapitalize: 'characters', spellcheck: 'false', maxlength: '120', 'aria-describedby': 'lookup-help lookup-error',
    });
    input.value = value || '';
    const error = h('p.error', { id: 'lookup-error', role: 'alert' }, message || '');
    const form = h('form.lookup-form', { on: { submit: (e) => { e.preventDefault(); submitLookup(body, input.value); } } },
      h('p.help', { id: 'lookup-help' }, t('lookupHelp')),
      h('label.field-label', { for: 'code' }, t('codeLabel')),
      h('div.input-row', {}, input, h('button.primary.big', { type: 'submit', id: 'lookup-submit' }, t('search'))),
      error);
    body.replaceChildren(form, createKeyboard(input, { layout: 'code', maxLength: 120, onEnter: () => submitLookup(body, input.value) }));
    input.focus({ preventScroll: true });
  }

  function submitLookup(body, raw, phone4) {
    const parsed = parseLookupInput(raw);
    if (parsed.error) { renderLookupForm(body, raw, t(parsed.error)); return; }
    body.replaceChildren(h('p.loading', { role: 'status' }, t('loading')));
    api(lookupPath(parsed, phone4)).then((dossier) => {
      renderDossier(body, dossier, parsed, raw, phone4);
    }).catch((error) => {
      if (error instanceof Unavailable) {
        const attempt = (body._attempt || 0);
        body._attempt = attempt + 1;
        showUnavailable(body, () => submitLookup(body, raw, phone4), attempt, t('retryingCode', { code: raw }));
      } else {
        renderLookupForm(body, raw, errorText(error));
      }
    });
  }

  function fact(label, value, cls) {
    return h('div.fact' + (cls ? '.' + cls : ''), {}, h('dt', {}, label), h('dd', {}, value || '—'));
  }

  function renderDossier(body, d, parsed, raw, phone4) {
    // "Quay lại" on a result goes back to the code form, with the code still in it.
    state.resultShown = { body, raw: parsed.token ? parsed.value : raw };
    body._attempt = 0;
    const statusCode = d.status.code;
    const overdue = d.timeliness && d.timeliness.key === 'in_progress_overdue';
    const tone = overdue || [3, 5, 6, 7, 8].includes(statusCode) ? 'warn' : [9, 10].includes(statusCode) ? 'good' : 'info';
    const result = h('article.result', { id: 'result', 'aria-labelledby': 'result-status' },
      h('div.status-card.' + tone, {},
        h('p.status-label', { id: 'result-status' }, lang() === 'vi' ? d.status.label : statusPlainTitle(statusCode, d.status.label)),
        h('p.status-plain', { id: 'status-plain' }, lang() === 'vi' && d.plain ? d.plain : overdue ? t('overduePlain', { n: d.timeliness.overdue_working_days || 0 }) : statusPlain(statusCode))),
      h('dl.facts', {},
        fact(t('dossierCode'), d.code, 'code'),
        fact(t('procedure'), d.procedure.name),
        fact(t('handlingAgency'), d.handling_agency.now_text || d.handling_agency.name),
        fact(t('receivedAt'), fmtTime(d.received_at)),
        fact(t('dueAt'), d.due_at ? fmtTime(d.due_at, false) : t('noDueAt'), 'due'),
        timelinessLabel(d.timeliness) ? fact(t('timeliness'), timelinessLabel(d.timeliness), 'timeliness ' + d.timeliness.key) : null,
        fact(t('applicant'), d.applicant)),
      h('p.freshness', {}, t('dataAsOf') + ' ' + fmtTime(d.freshness.synced_at) +
        (d.database === 'unreachable' ? ' — ' + t('cachedNote') : '')));
    const actions = h('div.actions', {},
      button('.primary.big', t('print'), () => printSlip(d), { id: 'print' }),
      button('.big', t('tileRating'), () => show('rating', { code: d.code }), { id: 'rate-this' }),
      button('.big', t('newLookup'), () => renderLookupForm(body, ''), { id: 'new-lookup' }));
    const now = renderNow(d);
    if (now) result.appendChild(now);
    body.replaceChildren(result, actions);
    if (d.qr && d.qr.token !== 'valid') {
      // The scanned QR link's token did not open the details: say why (the landing page's words).
      result.insertBefore(h('div.qr-notice', { role: 'note', id: 'qr-notice' },
        h('p.item-title', {}, lang() === 'vi' && d.qr.title ? d.qr.title : t('qrNoticeTitle')),
        h('p', {}, lang() === 'vi' && d.qr.message ? d.qr.message : t('qrNoticeText'))), result.children[1]);
    }
    performance.mark('kiosk-result');
    if (d.view === 'detailed') body.appendChild(renderDetails(d));
    if (d.view !== 'detailed') body.appendChild(renderProofForm(body, parsed, raw, d.proof));
  }

  // The agency of the receipt has closed (a district abolished on 1 July 2025, a closed code):
  // who serves the dossier now, with each desk (the receiving agency's successors first).
  function closedAgency(d) {
    return [d.receiving_agency, d.handling_agency].find((a) => a && a.now_text) || null;
  }

  function renderNow(d) {
    const closed = closedAgency(d);
    if (!closed) return null;
    return h('div.now', { id: 'now', role: 'note' },
      h('h3', {}, t('nowTitle')),
      h('p', {}, closed.now_text),
      (closed.now || []).map((desk) => h('div.now-desk', {},
        h('p.item-title', {}, desk.desk_name),
        desk.desk_address ? h('p', {}, desk.desk_address) : null,
        desk.desk_phone ? h('p', {}, t('phone') + ': ' + desk.desk_phone) : null,
        desk.desk_hours ? h('p', {}, t('hours') + ': ' + desk.desk_hours) : null)));
  }

  function statusPlainTitle(code, fallback) {
    const en = { 1: 'Newly registered', 2: 'Accepted', 3: 'Not accepted', 4: 'In progress', 5: 'Additional documents requested', 6: 'Fees or taxes to pay', 7: 'Withdrawn', 8: 'Processing stopped', 9: 'Result ready', 10: 'Result returned' };
    return en[code] || fallback;
  }

  function renderDetails(d) {
    const details = h('section.details', { id: 'details', 'aria-label': t('timeline') });
    if (d.reason) {
      details.appendChild(h('div.reason', { role: 'note', id: 'reason' },
        h('h3', {}, lang() === 'vi' ? d.reason.title : t('reasonTitle')), h('p', {}, d.reason.text)));
    }
    if (d.supplement && d.supplement.request) {
      details.appendChild(h('div.supplement', { role: 'note' }, h('h3', {}, t('supplement')), h('p', {}, d.supplement.request),
        d.citizen_due_at ? h('p', {}, t('supplementDue') + ': ' + fmtTime(d.citizen_due_at, false)) : null));
    }
    if (d.fee) {
      details.appendChild(h('div.fee', { role: 'note', id: 'fee' }, h('h3', {}, t('feeTitle')),
        d.fee.amount_text ? h('p', {}, t('feeAmount') + ': ' + d.fee.amount_text) : null,
        d.fee.place ? h('p', {}, t('feePlace') + ': ' + d.fee.place) : null,
        d.citizen_due_at ? h('p', {}, t('feeDue') + ': ' + fmtTime(d.citizen_due_at, false)) : null));
    }
    if (Array.isArray(d.timeline)) {
      details.appendChild(h('h3', {}, t('timeline')));
      details.appendChild(h('ol.timeline', {}, d.timeline.map((step) =>
        h('li', {}, h('span.when', {}, fmtTime(step.at)), h('span.what', {}, step.step),
          step.agency ? h('span.where', {}, step.agency) : null))));
    }
    const c = d.collect_result;
    if (c) {
      details.appendChild(h('div.collect', {}, h('h3', {}, t('collect')),
        h('p', {}, c.agency), c.address ? h('p', {}, c.address) : null,
        c.phone ? h('p', {}, t('phone') + ': ' + c.phone) : null,
        c.hours ? h('p', {}, t('hours') + ': ' + c.hours) : null,
        c.from ? h('p', {}, t('collectFrom') + ': ' + fmtTime(c.from, false)) : h('p', {}, t('collectWhen'))));
    }
    return details;
  }

  function renderProofForm(body, parsed, raw, proof) {
    const input = h('input.code-input.phone4', { id: 'phone4', type: 'text', inputmode: 'none', autocomplete: 'off', maxlength: '4', 'aria-describedby': 'proof-help' });
    const message = proof === 'rejected' ? t('proofRejected') : proof === 'locked' ? t('proofLocked') : '';
    // Fewer than four digits are answered at the field, never by silence.
    const fieldError = h('p.error', { id: 'phone4-error', role: 'alert' });
    input.setAttribute('aria-describedby', 'proof-help phone4-error');
    input.addEventListener('input', () => { fieldError.textContent = ''; });
    const submit = () => {
      if (/^\d{4}$/.test(input.value)) submitLookup(body, raw, input.value);
      else fieldError.textContent = t('phone4Short');
    };
    // The step is a button that looks like one (bordered, with an arrow), not a heading.
    return h('details.proof', { open: proof === 'rejected' || proof === 'locked' ? true : null },
      h('summary.big', {}, h('span', {}, t('detailsTitle')), icon('chevron', 'chevron')),
      h('p', { id: 'proof-help' }, t('detailsHelp')),
      message ? h('p.error', { role: 'alert' }, message) : null,
      h('label.field-label', { for: 'phone4' }, t('phone4Label')),
      h('div.input-row', {}, input, button('.primary.big', t('showDetails'), submit, { id: 'phone4-submit' })),
      fieldError,
      createKeyboard(input, { layout: 'digits', maxLength: 4, onEnter: submit, enterLabel: t('ok') }));
  }

  // ---------------------------------------------------------------- printing (80 mm slip)
  function printSlip(d) {
    const slip = $('slip');
    const line = (label, value) => h('p', {}, h('b', {}, label + ': '), value || '—');
    slip.replaceChildren(
      h('p.slip-head', {}, config.province || ''),
      h('h2', {}, t('slipTitle')),
      line(t('dossierCode'), d.code),
      line(t('procedure'), d.procedure.name),
      line(t('handlingAgency'), d.handling_agency.name),
      ...(closedAgency(d) ? [line(t('nowTitle'), closedAgency(d).now_text)] : []),
      line(t('status'), lang() === 'vi' ? d.status.label : statusPlainTitle(d.status.code, d.status.label)),
      line(t('receivedAt'), fmtTime(d.received_at)),
      line(t('dueAt'), d.due_at ? fmtTime(d.due_at, false) : t('noDueAt')),
      ...(timelinessLabel(d.timeliness) ? [line(t('timeliness'), timelinessLabel(d.timeliness))] : []),
      line(t('dataAsOf'), fmtTime(d.freshness.synced_at)),
      // Unlocked (detailed view): what to supplement and where to collect, as on the screen.
      ...slipDetails(d, line),
      h('p.slip-foot', {}, t('hotline1022') + ': 1022' + (config.hotline ? ' · ' + config.hotline : '')),
      ...slipFoot());
    window.print();
  }

  function slipDetails(d, line) {
    if (d.view !== 'detailed') return [];
    const out = [];
    if (d.supplement && d.supplement.request) {
      out.push(line(t('supplement'), d.supplement.request));
      if (d.citizen_due_at) out.push(line(t('supplementDue'), fmtTime(d.citizen_due_at, false)));
    }
    const c = d.collect_result;
    if (c) {
      out.push(line(t('collect'), [c.agency, c.address].filter(Boolean).join(', ')));
      if (c.from) out.push(line(t('collectFrom'), fmtTime(c.from, false)));
    }
    return out;
  }

  function printProcedure(p) {
    const slip = $('slip');
    slip.replaceChildren(
      h('p.slip-head', {}, config.province || ''),
      h('h2', {}, p.name),
      h('p', {}, h('b', {}, t('processingTime') + ': '), fmtDays(p.processing_days)),
      h('p', {}, h('b', {}, t('fee') + ': '), feeText(p)),
      h('p', {}, h('b', {}, t('documents') + ':')),
      h('ol', {}, p.documents.map((doc) => h('li', {}, doc.name))),
      h('p', {}, h('b', {}, t('place') + ': '), p.place ? p.place.agency_name + ', ' + (p.place.address || '') : (p.place_note || '')),
      ...slipFoot());
    window.print();
  }

  // ---------------------------------------------------------------- procedures
  screens.procedures = (view, arg) => {
    const screen = h('div.screen.procedures', {});
    view.appendChild(screen);
    screen.appendChild(screenTitle(t('proceduresTitle')));
    const mode = (arg && arg.mode) || 'browse';
    const tabs = h('div.tabs', { role: 'tablist' },
      ['browse', 'search'].map((m) => h('button.tab', {
        type: 'button', role: 'tab', 'aria-selected': String(m === mode), id: 'tab-' + m,
        on: { click: () => { if (m !== mode) show('procedures', { mode: m }, { push: false }); } },
      }, t(m === 'search' ? 'searchTab' : 'browseTab'))));
    screen.appendChild(tabs);
    const body = h('div.tab-body', { role: 'tabpanel' });
    screen.appendChild(body);
    if (mode === 'search') renderSearch(body, arg && arg.q);
    else renderLevels(body);
  };

  function renderSearch(body, initial) {
    const input = h('input.code-input.search-input', { id: 'q', type: 'text', inputmode: 'none', autocomplete: 'off', spellcheck: 'false', maxlength: '100' });
    input.value = initial || '';
    const results = h('div.results', { id: 'search-results', 'aria-live': 'polite' });
    let debounce;
    const run = () => {
      clearTimeout(debounce);
      const q = input.value.trim();
      if (q.length < 2) { results.replaceChildren(); return; }
      state.arg = { mode: 'search', q };
      loadInto(results, () => api('/api/v1/catalog/procedures?q=' + encodeURIComponent(q)), (data) => {
        results.appendChild(h('p.count', {}, t('results', { n: data.procedures.length })));
        if (!data.procedures.length) results.appendChild(h('p.empty', {}, t('noResults')));
        results.appendChild(procedureList(data.procedures, null));
      });
    };
    input.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(run, 350); });
    const form = h('form.search-form', { on: { submit: (e) => { e.preventDefault(); run(); } } },
      h('label.field-label', { for: 'q' }, t('searchLabel')),
      h('div.input-row', {}, input, h('button.primary.big', { type: 'submit', id: 'search-submit' }, t('search'))));
    body.append(results, form, createKeyboard(input, { layout: 'text', telex: lang() === 'vi', maxLength: 100, onEnter: run }));
    if (input.value) run();
  }

  function procedureList(procedures, agency) {
    return h('ul.list', {}, procedures.map((p) => h('li', {},
      h('button.list-item', { type: 'button', 'data-code': p.code, on: { click: () => show('procedure', { code: p.code, agency }) } },
        h('span.item-title', {}, p.name),
        h('span.item-meta', {}, p.field + ' · ' + fmtDays(p.processing_days))))));
  }

  // The first browsing step: the tiers of agency_levels (cấp tỉnh, cấp xã), each with the levels of
  // today in it as the server lists them. No district step: the district is a historical level.
  function tierLabel(tier) { return tier.label && lang() === 'vi' ? tier.label : t('tier_' + tier.tier); }

  function renderLevels(body) {
    body.appendChild(h('h3', {}, t('chooseLevel')));
    const slot = h('div.choices', {});
    body.appendChild(slot);
    loadInto(slot, () => api('/api/v1/catalog/levels'), (data) => {
      for (const tier of data.tiers) {
        const levels = tier.levels.filter((l) => l.label !== tier.label)
          .map((l) => (lang() === 'vi' ? l.label : l.label_en)).join(', ');
        slot.appendChild(button('.choice', [h('span.item-title', {}, tierLabel(tier)), h('span.item-meta', {}, levels)],
          () => show('agencies', { tier: tier.tier }), { 'data-tier': tier.tier }));
      }
    });
  }

  // The agencies of one tier: the departments, or every commune, ward and special zone (about a
  // hundred) with a box that finds one by typing part of its name.
  screens.agencies = (view, arg) => {
    const screen = h('div.screen.browse', {});
    view.appendChild(screen);
    const local = arg.tier === 'local';
    screen.appendChild(screenTitle(local ? t('chooseCommune') : t('chooseAgency')));
    const slot = h('div.browse-body', {});
    screen.appendChild(slot);
    const list = (agencies) => h('ul.list', {}, agencies.map((a) => h('li', {},
      h('button.list-item', {
        type: 'button', 'data-code': a.code,
        on: { click: () => show('fields', { agency: a.code, name: a.name }) },
      }, h('span.item-title', {}, a.name),
        h('span.item-meta', {}, (local && a.kind_label ? a.kind_label + ' · ' : '') + t('procedures', { n: a.procedures }))))));
    loadInto(slot, () => api('/api/v1/catalog/agencies?tier=' + encodeURIComponent(arg.tier)), (data) => {
      if (local) filterable(slot, data.agencies, { id: 'place-q', label: t('placeFilterLabel'), text: (a) => a.name, render: list });
      else slot.appendChild(list(data.agencies));
    });
  };

  screens.fields = (view, arg) => {
    const screen = h('div.screen.browse', {});
    view.appendChild(screen);
    screen.appendChild(screenTitle(arg.name));
    screen.appendChild(h('h3', {}, t('chooseField')));
    const slot = h('div.browse-body', {});
    screen.appendChild(slot);
    loadInto(slot, () => api('/api/v1/catalog/agencies/' + encodeURIComponent(arg.agency) + '/fields'), (data) => {
      slot.appendChild(h('ul.list', {}, data.fields.map((f) => h('li', {},
        h('button.list-item', { type: 'button', 'data-field': f.field, on: { click: () => show('fieldProcedures', { agency: arg.agency, field: f.field }) } },
          h('span.item-title', {}, f.field), h('span.item-meta', {}, t('procedures', { n: f.procedures })))))));
    });
  };

  screens.fieldProcedures = (view, arg) => {
    const screen = h('div.screen.browse', {});
    view.appendChild(screen);
    screen.appendChild(screenTitle(arg.field));
    screen.appendChild(h('h3', {}, t('chooseProcedure')));
    const slot = h('div.browse-body', {});
    screen.appendChild(slot);
    loadInto(slot, () => api('/api/v1/catalog/procedures?agency=' + encodeURIComponent(arg.agency) + '&field=' + encodeURIComponent(arg.field)),
      (data) => slot.appendChild(procedureList(data.procedures, arg.agency)));
  };

  function feeText(p) {
    if (p.fee_vnd === 0) return t('free') + (p.fee_note ? ' (' + p.fee_note + ')' : '');
    if (typeof p.fee_vnd === 'number') return fmtMoney(p.fee_vnd) + (p.fee_note ? ' (' + p.fee_note + ')' : '');
    return p.fee_note || '—';
  }

  screens.procedure = (view, arg) => {
    const screen = h('div.screen.procedure', {});
    view.appendChild(screen);
    const slot = h('div', {});
    screen.appendChild(slot);
    const path = '/api/v1/catalog/procedures/' + encodeURIComponent(arg.code) + (arg.agency ? '?agency=' + encodeURIComponent(arg.agency) : '');
    loadInto(slot, () => api(path), (p) => {
      const place = p.place
        ? h('div.place', {}, h('p.place-name', {}, p.place.agency_name),
          p.place.address ? h('p', {}, t('address') + ': ' + p.place.address) : null,
          p.place.phone ? h('p', {}, t('phone') + ': ' + p.place.phone) : null,
          p.place.hours ? h('p', {}, t('hours') + ': ' + p.place.hours) : null)
        : h('p', {}, p.place_note || '—');
      slot.append(
        screenTitle(p.name),
        h('p.item-meta', {}, p.code + ' · ' + p.field),
        h('div.procedure-grid', {},
          h('div.procedure-main', {},
            h('dl.facts', {},
              fact(t('processingTime'), fmtDays(p.processing_days), 'days'),
              fact(t('fee'), feeText(p), 'fee'),
              fact(t('howToFile'), t('online')[p.online_level] || '')),
            h('h3', {}, t('documents')),
            h('ol.documents', {}, p.documents.map((doc) => h('li', {}, doc.name + (doc.copies > 1 ? ' — ' + t('copies', { n: doc.copies }) : '')))),
            h('h3', {}, t('place')), place),
          h('figure.qr', {},
            h('img', { src: p.qr_svg, alt: t('continueOnPhone'), width: '240', height: '240' }),
            h('figcaption', {}, t('continueOnPhone')))),
        h('div.actions', {}, button('.primary.big', t('print'), () => printProcedure(p), { id: 'print' })));
    });
  };

  // ---------------------------------------------------------------- rating
  screens.rating = (view, arg) => {
    const screen = h('div.screen.rating', {});
    view.appendChild(screen);
    screen.appendChild(screenTitle(t('ratingTitle')));
    const input = h('input.code-input', { id: 'rating-code', type: 'text', inputmode: 'none', autocomplete: 'off', maxlength: '60', 'aria-describedby': 'rating-help' });
    input.value = (arg && arg.code) || '';
    const message = h('p.error', { id: 'rating-error', role: 'alert' });
    const keyboardSlot = h('div', {});
    const openKeyboard = () => { if (!keyboardSlot.firstChild) keyboardSlot.appendChild(createKeyboard(input, { layout: 'code', maxLength: 60 })); };
    input.addEventListener('focus', openKeyboard);
    input.addEventListener('click', openKeyboard);
    const faces = h('div.faces', { role: 'group', 'aria-label': t('ratingTitle') },
      [[1, 'frown', 'rate1', 'bad'], [2, 'neutral', 'rate2', 'neutral'], [3, 'smile', 'rate3', 'good']].map(([score, face, label, cls]) =>
        h('button.face.' + cls, { type: 'button', 'data-score': String(score), 'aria-label': t(label), on: { click: () => rate(score) } },
          h('span.face-icon', { 'aria-hidden': 'true' }, icon(face)), h('span.face-label', {}, t(label)))));
    const body = h('div.rating-body', {},
      h('p', { id: 'rating-help' }, t('ratingHelp')),
      h('label.field-label', { for: 'rating-code' }, t('ratingCode')),
      input, message, keyboardSlot, faces);
    screen.appendChild(body);
    function rate(score) {
      const code = input.value.trim();
      const payload = code ? { score, dossier_code: code } : { score };
      api('/api/v1/kiosk/ratings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) })
        .then(() => {
          body.replaceChildren(h('div.thanks', { role: 'status', id: 'rating-thanks' }, h('span.face-icon', { 'aria-hidden': 'true' }, '♥'), h('p', {}, t('ratingThanks'))));
          later(goHome, 6000);
        })
        .catch((error) => {
          if (error instanceof Unavailable) showUnavailable(message, () => rate(score), 0);
          else message.textContent = errorText(error);
        });
    }
  };

  // ---------------------------------------------------------------- questions and feedback
  // Published answers (search ignoring diacritics, one item per page), and the forms to ask a
  // question or send feedback (Decree 20/2008: name, address and phone) through the intake API,
  // typed on the on-screen keyboard with Telex; the tracking code is shown and printed.
  screens.questions = (view) => {
    const screen = h('div.screen.questions', {});
    view.appendChild(screen);
    screen.appendChild(screenTitle(t('questionsTitle')));
    screen.appendChild(h('p.help', {}, t('questionsHelp')));
    screen.appendChild(h('div.choices', {},
      button('.choice', t('qaRead'), () => show('answers'), { 'data-choice': 'answers' }),
      button('.choice', t('qaAsk'), () => show('intakeForm', { kind: 'question' }), { 'data-choice': 'question' }),
      button('.choice', t('qaFeedback'), () => show('intakeForm', { kind: 'feedback' }), { 'data-choice': 'feedback' })));
  };

  screens.answers = (view, arg) => {
    const screen = h('div.screen.answers', {});
    view.appendChild(screen);
    screen.appendChild(screenTitle(t('answersTitle')));
    const input = h('input.code-input.search-input', { id: 'qa-q', type: 'text', inputmode: 'none', autocomplete: 'off', spellcheck: 'false', maxlength: '100' });
    input.value = (arg && arg.q) || '';
    const results = h('div.results', { id: 'answer-results', 'aria-live': 'polite' });
    const run = () => {
      const q = input.value.trim();
      state.arg = { q };
      const path = '/api/v1/published' + (q ? '?q=' + encodeURIComponent(q) : '');
      loadInto(results, () => api(path), (data) => {
        if (q) results.appendChild(h('p.count', {}, t('answersFound', { n: data.items.length })));
        if (!data.items.length) results.appendChild(h('p.empty', {}, q ? t('answersNone') : t('answersEmpty')));
        results.appendChild(h('ul.list', {}, data.items.map((item) => h('li', {},
          h('button.list-item', { type: 'button', 'data-code': item.tracking_code, on: { click: () => show('answer', { code: item.tracking_code }) } },
            h('span.item-title', {}, item.subject),
            h('span.item-meta', {}, [kindLabel(item.kind), item.agency && item.agency.name, fmtTime(item.published_at, false)].filter(Boolean).join(' · ')))))));
      });
    };
    const form = h('form.search-form', { on: { submit: (e) => { e.preventDefault(); run(); } } },
      h('label.field-label', { for: 'qa-q' }, t('answersSearchLabel')),
      h('div.input-row', {}, input, h('button.primary.big', { type: 'submit', id: 'qa-search' }, t('search'))));
    screen.append(results, form, createKeyboard(input, { layout: 'text', telex: lang() === 'vi', maxLength: 100, onEnter: run }));
    run();
  };

  function kindLabel(kind) {
    const key = kind && typeof kind === 'object' ? kind.key : kind;
    return key === 'feedback' ? t('kindFeedback') : t('kindQuestion');
  }

  screens.answer = (view, arg) => {
    const screen = h('div.screen.answer', {});
    view.appendChild(screen);
    const slot = h('div.answer-body', {});
    screen.appendChild(slot);
    loadInto(slot, () => api('/api/v1/published/' + encodeURIComponent(arg.code)), (item) => {
      slot.append(
        screenTitle(item.subject),
        h('p.item-meta', {}, [item.tracking_code, kindLabel(item.kind), t('publishedOn') + ' ' + fmtTime(item.published_at, false)].join(' · ')),
        h('article.qa-item', { id: 'answer' },
          h('h3', {}, kindLabel(item.kind)),
          h('p.qa-text', {}, item.question),
          h('h3', {}, t('answerOf') + (item.agency && item.agency.name ? ' ' + item.agency.name : '')),
          h('p.qa-text.qa-answer', {}, item.answer)));
    });
  };

  // The fields of each form, in order: [name, label key, keyboard layout, max length, multiline,
  // required]. A question needs a phone (the kiosk has no e-mail field); feedback needs the name,
  // address and phone Decree 20/2008 asks for.
  const INTAKE_FIELDS = {
    question: [['subject', 'fSubject', 'text', 200, false, true], ['body', 'fQuestion', 'text', 2000, true, true],
      ['name', 'fNameOptional', 'text', 100, false, false], ['phone', 'fPhoneQuestion', 'digits', 15, false, true]],
    feedback: [['subject', 'fSubject', 'text', 200, false, true], ['body', 'fFeedback', 'text', 2000, true, true],
      ['name', 'fName', 'text', 100, false, true], ['address', 'fAddress', 'text', 300, false, true],
      ['phone', 'fPhone', 'digits', 15, false, true]],
  };

  screens.intakeForm = (view, arg) => {
    const kind = arg.kind === 'feedback' ? 'feedback' : 'question';
    const screen = h('div.screen.intake', { 'data-kind': kind });
    view.appendChild(screen);
    screen.appendChild(screenTitle(t(kind === 'feedback' ? 'feedbackTitle' : 'askTitle')));
    const body = h('div.intake-body', {});
    screen.appendChild(body);
    renderIntakeForm(body, kind);
  };

  function renderIntakeForm(body, kind) {
    const inputs = {};
    const errors = {};
    const keyboardSlot = h('div.keyboard-slot', {});
    const general = h('p.error', { id: 'intake-error', role: 'alert' });
    let active = null;
    const attach = (name) => {
      if (active === name) return;
      active = name;
      const [, , layout, max] = INTAKE_FIELDS[kind].find((f) => f[0] === name);
      // The keyboard's Enter goes to the next field: the send button below is the one way to send.
      keyboardSlot.replaceChildren(createKeyboard(inputs[name], {
        layout, telex: layout === 'text' && lang() === 'vi', maxLength: max,
        onEnter: () => next(name), enterLabel: t('nextField'),
      }));
      for (const [field, input] of Object.entries(inputs)) input.closest('.field').classList.toggle('typing', field === name);
    };
    const fields = INTAKE_FIELDS[kind].map(([name, label, layout, max, multiline, required]) => {
      const id = 'f-' + name;
      const input = h(multiline ? 'textarea.code-input.text-field' : 'input.code-input.text-field', {
        id, name, type: multiline ? null : 'text', inputmode: 'none', autocomplete: 'off', spellcheck: 'false',
        maxlength: String(max), rows: multiline ? '3' : null, 'aria-describedby': 'e-' + name,
        'aria-required': required ? 'true' : null,
      });
      input.addEventListener('focus', () => attach(name));
      input.addEventListener('input', () => { errors[name].textContent = ''; input.removeAttribute('aria-invalid'); });
      inputs[name] = input;
      errors[name] = h('p.error', { id: 'e-' + name, role: 'alert' });
      return h('div.field', { 'data-field': name },
        h('label.field-label', { for: id }, t(label), required ? h('span.required', {}, ' (' + t('required') + ')') : null),
        input, errors[name]);
    });
    // Enter (the on-screen key, or a physical keyboard's in a one-line field) moves on; after
    // the last field it stops on the send button, which sends only when tapped.
    const order = INTAKE_FIELDS[kind].map((f) => f[0]);
    function next(name) {
      const following = order[order.indexOf(name) + 1];
      if (following) { inputs[following].focus({ preventScroll: false }); attach(following); } else send.focus();
    }
    const publish = h('button.toggle', {
      type: 'button', id: 'f-public', role: 'switch', 'aria-checked': 'false',
      on: { click: () => publish.setAttribute('aria-checked', String(publish.getAttribute('aria-checked') !== 'true')) },
    }, t(kind === 'feedback' ? 'fPublicFeedback' : 'fPublic'));
    const send = button('.primary.big', t('send'), () => submit(), { id: 'intake-submit' });
    const form = h('form.intake-form', { on: { submit: (e) => { e.preventDefault(); next(active); } } },
      h('p.help', {}, t(kind === 'feedback' ? 'feedbackHelp' : 'askHelp')),
      fields, publish, general);
    // The keyboard and the send button below it: under the form in portrait, beside it in landscape.
    body.replaceChildren(form, h('div.intake-side', {}, keyboardSlot, send));
    inputs.subject.focus({ preventScroll: true });
    attach('subject');

    function submit() {
      for (const [name, el] of Object.entries(errors)) { el.textContent = ''; inputs[name].removeAttribute('aria-invalid'); }
      general.textContent = '';
      const payload = { channel: 'kiosk', public: publish.getAttribute('aria-checked') === 'true' };
      for (const [name, input] of Object.entries(inputs)) {
        const value = input.value.trim();
        if (value) payload[name] = value;
      }
      send.disabled = true;
      api(kind === 'feedback' ? '/api/v1/feedback' : '/api/v1/questions', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload),
      }).then((created) => {
        renderIntakeDone(body, kind, created, payload);
      }).catch((error) => {
        send.disabled = false;
        if (error instanceof Unavailable) { showUnavailable(general, () => submit(), 0); return; }
        // The API names the field at fault (`error.field`): show the message there.
        const field = error instanceof ApiError && error.code === 'invalid_submission'
          ? error.field : null;
        const text = error instanceof ApiError && ['invalid_submission', 'rate_limited'].includes(error.code) && lang() === 'vi'
          ? error.message : intakeErrorText(error, field);
        if (field && errors[field]) {
          errors[field].textContent = text;
          inputs[field].setAttribute('aria-invalid', 'true');
          inputs[field].focus({ preventScroll: true });
          attach(field);
          inputs[field].scrollIntoView({ block: 'center' });
        } else {
          general.textContent = text;
        }
      });
    }
  }

  function intakeErrorText(error, field) {
    if (!(error instanceof ApiError)) return t('errorGeneric');
    if (error.code === 'rate_limited') return t('errorTooManySubmissions');
    if (error.code === 'invalid_submission') return t('fieldError', { f: field ? t('fieldName_' + field) : '' });
    return t('errorGeneric');
  }

  function renderIntakeDone(body, kind, created, payload) {
    const code = created.tracking_code;
    const due = created.deadlines && created.deadlines.handle_due_at;
    body.replaceChildren(
      h('div.done', { role: 'status', id: 'intake-done' },
        h('p', {}, t(kind === 'feedback' ? 'feedbackSent' : 'questionSent')),
        h('p.item-meta', {}, t('trackingCodeLabel')),
        h('p.tracking-code', { id: 'tracking-code' }, code),
        due ? h('p', {}, t('answerDue') + ' ' + fmtTime(due, false)) : null,
        h('p', {}, t('trackHow'))),
      h('div.actions', {},
        button('.primary.big', t('printCode'), () => printIntake(kind, created, payload), { id: 'print' })));
  }

  function printIntake(kind, created, payload) {
    const due = created.deadlines && created.deadlines.handle_due_at;
    $('slip').replaceChildren(...[
      h('p.slip-head', {}, config.province || ''),
      h('h2', {}, t(kind === 'feedback' ? 'slipFeedbackTitle' : 'slipQuestionTitle')),
      h('p.slip-code', {}, created.tracking_code),
      h('p', {}, h('b', {}, t('fSubject') + ': '), payload.subject || ''),
      due ? h('p', {}, h('b', {}, t('answerDue') + ': '), fmtTime(due, false)) : null,
      h('p', {}, t('trackHow')),
      h('p', {}, publicBase() + created.track_url),
      h('p.slip-foot', {}, t('hotline1022') + ': 1022' + (config.hotline ? ' · ' + config.hotline : '')),
      ...slipFoot()].filter(Boolean));
    window.print();
  }

  // ---------------------------------------------------------------- statistics
  screens.stats = (view, arg) => {
    const tier = (arg && arg.tier) || 'province';
    const screen = h('div.screen.stats', {});
    view.appendChild(screen);
    screen.appendChild(screenTitle(t('statsTitle')));
    const tabs = h('div.tabs', { role: 'tablist' });
    screen.appendChild(tabs);
    const slot = h('div.stats-body', {});
    screen.appendChild(slot);
    // The tabs are the tiers of agency_levels; a closed agency's results are under its successor
    // (named in the row), or under its own name marked closed when it has several.
    loadInto(slot, () => Promise.all([api('/api/v1/catalog/levels'), api('/api/v1/stats/on-time?tier=' + encodeURIComponent(tier))]), ([levels, data]) => {
      tabs.replaceChildren(...levels.tiers.map((l) => h('button.tab', {
        type: 'button', role: 'tab', 'aria-selected': String(l.tier === tier), 'data-tier': l.tier,
        on: { click: () => show('stats', { tier: l.tier }, { push: false }) },
      }, tierLabel(l))));
      slot.appendChild(h('p.item-meta', {}, t('statsSince', { d: fmtTime(data.since + 'T00:00', false) || data.since })));
      if (data.percent !== null) slot.appendChild(h('p.stats-total', {}, t('statsTotal', { p: fmtPercent(data.percent), o: data.on_time, s: data.settled })));
      const chart = (agencies) => h('ul.chart', { 'aria-label': t('statsTitle') }, agencies.map((a) => {
        const bar = h('span.bar-fill', {});
        bar.style.setProperty('width', (a.percent || 0) + '%');
        const name = a.closed ? a.name + ' ' + t('closedMark') : a.name;
        const includes = (a.includes || []).map((o) => o.name).join(', ');
        return h('li.chart-row' + (a.closed ? '.closed' : ''), { 'data-code': a.code },
          h('span.bar-label', {}, name, includes ? h('span.item-meta', {}, t('includesOld', { names: includes })) : null),
          h('span.bar', { role: 'img', 'aria-label': name + ': ' + fmtPercent(a.percent) + '%' }, bar),
          h('span.bar-value', {}, h('span.bar-percent', {}, fmtPercent(a.percent) + '%'),
            h('span.bar-count', {}, t('statsRow', { o: a.on_time, s: a.settled }))));
      }));
      // About a hundred communes: found by typing, as when browsing.
      if (tier === 'local' && data.agencies.length > 12) {
        filterable(slot, data.agencies, { id: 'stats-q', label: t('placeFilterLabel'), text: (a) => a.name, render: chart });
      } else {
        slot.appendChild(chart(data.agencies));
      }
    });
  };

  // ---------------------------------------------------------------- contacts
  screens.contacts = (view) => {
    const screen = h('div.screen.contacts', {});
    view.appendChild(screen);
    screen.appendChild(screenTitle(t('contactsTitle')));
    // The hotlines need no server: they stay on screen when the API is down.
    screen.appendChild(h('div.hotlines', {},
      h('div.hotline', {}, h('span', {}, t('hotline1022')), h('strong', {}, '1022')),
      config.hotline ? h('div.hotline', {}, h('span', {}, t('provinceHotline')), h('strong', {}, config.hotline)) : null));
    screen.appendChild(h('h3', {}, t('desks')));
    const slot = h('div.contacts-body', {});
    screen.appendChild(slot);
    // The provincial centre first, then every commune-level centre, found by typing its name.
    const desk = (d) => h('li.desk', { 'data-code': d.code, 'data-tier': d.tier },
      h('p.item-title', {}, d.name),
      h('p', {}, t('phone') + ': ', h('strong', {}, d.phone || '—')),
      d.hours ? h('p.item-meta', {}, t('hours') + ': ' + d.hours) : null,
      d.address ? h('p.item-meta', {}, t('address') + ': ' + d.address) : null);
    loadInto(slot, () => api('/api/v1/kiosk/contacts'), (data) => {
      const province = data.desks.filter((d) => d.tier === 'province');
      const local = data.desks.filter((d) => d.tier !== 'province');
      // Scrolling lists take the focus, so they scroll from a keyboard too.
      if (province.length) slot.appendChild(h('ul.list.desks', { id: 'province-desks', tabindex: '0', 'aria-label': t('provinceDesks') }, province.map(desk)));
      if (local.length) {
        slot.appendChild(h('h3', {}, t('tier_local')));
        filterable(slot, local, {
          id: 'desk-q', label: t('deskFilterLabel'), text: (d) => d.name,
          render: (kept) => h('ul.list.desks', { id: 'local-desks', tabindex: '0', 'aria-label': t('localDesks') }, kept.map(desk)),
        });
      }
    });
  };

  // ---------------------------------------------------------------- scanner
  // A keyboard-wedge scanner "types" a whole code within a few milliseconds per key and presses
  // Enter. Keys are collected while they come fast; Enter after a fast burst is a scan. What the
  // burst typed into a focused input is taken back out, and the scan is looked up.
  const scan = { buffer: '', last: 0, target: null, before: '' };
  document.addEventListener('keydown', (e) => {
    const now = performance.now();
    if (e.key === 'Enter') {
      const isScan = scan.buffer.length >= SCAN_MIN_CHARS && now - scan.last <= SCAN_MAX_GAP_MS * 2;
      if (isScan) {
        e.preventDefault();
        e.stopImmediatePropagation();
        if (scan.target) { scan.target.value = scan.before; }
        handleScan(scan.buffer);
      }
      scan.buffer = '';
      return;
    }
    if (e.key.length !== 1 || e.ctrlKey || e.altKey || e.metaKey) return;
    if (!scan.buffer || now - scan.last > SCAN_MAX_GAP_MS) {
      const active = document.activeElement;
      scan.target = active && active.tagName === 'INPUT' ? active : null;
      scan.before = scan.target ? scan.target.value : '';
      scan.buffer = '';
    }
    scan.buffer += e.key;
    scan.last = now;
  }, true);

  function handleScan(text) {
    const now = Date.now();
    if (text === state.lastScan.text && now - state.lastScan.at < SCAN_REPEAT_MS) return;
    state.lastScan = { text, at: now };
    state.stack = [{ name: 'home' }];
    show('lookup', { prefill: text, scanned: true }, { push: false });
  }

  // ---------------------------------------------------------------- idle reset
  function activity() {
    state.lastActivity = Date.now();
    if (!$('idle').hidden) $('idle').hidden = true;
  }
  for (const ev of ['pointerdown', 'keydown', 'touchstart', 'wheel', 'input']) document.addEventListener(ev, activity, true);

  function resetAll() {
    $('idle').hidden = true;
    $('slip').replaceChildren();
    state.lastScan = { text: '', at: 0 };
    setLang('vi');
    renderChrome();
    goHome();
    state.lastActivity = Date.now();
  }

  setInterval(() => {
    if (state.screen === 'home' && lang() === 'vi') return;
    const left = config.idleSecs * 1000 - (Date.now() - state.lastActivity);
    const warnMs = Math.min(10, Math.ceil(config.idleSecs / 2)) * 1000;
    if (left <= 0) { resetAll(); return; }
    if (left <= warnMs) {
      const overlay = $('idle');
      $('idle-title').textContent = t('idleTitle');
      $('idle-text').textContent = t('idleText', { s: Math.ceil(left / 1000) });
      $('idle-count').textContent = String(Math.ceil(left / 1000));
      $('idle-stay').textContent = t('stillHere');
      if (overlay.hidden) { overlay.hidden = false; $('idle-stay').focus(); }
    }
  }, 250);
  $('idle-stay').addEventListener('click', activity);

  // ---------------------------------------------------------------- kiosk lockdown
  document.addEventListener('contextmenu', (e) => e.preventDefault());
  document.addEventListener('selectstart', (e) => { if (!(e.target instanceof HTMLInputElement)) e.preventDefault(); });
  document.addEventListener('gesturestart', (e) => e.preventDefault());
  document.addEventListener('wheel', (e) => { if (e.ctrlKey) e.preventDefault(); }, { passive: false });
  document.addEventListener('touchmove', (e) => { if (e.touches && e.touches.length > 1) e.preventDefault(); }, { passive: false });
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && ['+', '-', '=', '0', 'p', 's', 'o'].includes(e.key.toLowerCase())) e.preventDefault();
  });

  // ---------------------------------------------------------------- chrome and start
  function renderChrome() {
    document.title = t('title');
    $('app-title').textContent = t('title');
    $('province').textContent = config.province;
    $('nav-home').replaceChildren(icon('home'), ' ' + t('home'));
    $('nav-back').replaceChildren(icon('back'), ' ' + t('back'));
    $('nav-lang').textContent = t('language');
    $('nav-lang').setAttribute('aria-label', t('language') + ' – ' + t('languageLabel'));
    $('nav').setAttribute('aria-label', t('home'));
    tickClock();
  }
  function tickClock() {
    $('clock').textContent = new Date().toLocaleString(lang() === 'vi' ? 'vi-VN' : 'en-GB',
      { weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  setInterval(tickClock, 30000);

  $('nav-home').addEventListener('click', goHome);
  $('nav-back').addEventListener('click', back);
  $('nav-lang').addEventListener('click', () => {
    setLang(lang() === 'vi' ? 'en' : 'vi');
    renderChrome();
    show(state.screen, state.arg, { push: false });
  });

  // Configuration from the server; the kiosk works with its defaults while the API is down and
  // picks the configuration up on a later attempt.
  function loadConfig(attempt) {
    api('/api/v1/kiosk/config').then((c) => {
      config.serverKioskId = c.kiosk_id;
      if (!config.idleFromUrl) config.idleSecs = c.idle_timeout_secs;
      config.province = c.province;
      config.hotline = c.hotline;
      config.publicBase = c.public_base_url;
      document.body.classList.remove('api-down');
      renderChrome();
    }).catch(() => setTimeout(() => loadConfig(attempt + 1), 1000 * RETRY_DELAYS[Math.min(attempt, RETRY_DELAYS.length - 1)]));
  }

  function start() {
    setLang('vi');
    renderChrome();
    const deep = /^#\/thu-tuc\/([0-9.]{1,20})$/.exec(location.hash);
    if (deep) { state.stack = [{ name: 'home' }]; show('procedure', { code: deep[1] }, { push: false }); }
    else show('home', null, { push: false });
    loadConfig(0);
    document.body.dataset.ready = 'true';
    // For bench/kiosk.sh: when the home screen became usable.
    performance.mark('kiosk-interactive');
  }
  start();
})();
