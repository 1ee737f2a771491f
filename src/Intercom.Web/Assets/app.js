'use strict';
// The station's page: plain DOM, no framework. Talks only to /api/ on its own origin; every state-changing request
// carries the session's CSRF token. Live status and events come over one server-sent-events stream.
const $ = id => document.getElementById(id);
const APP_VIEWS = ['status', 'config', 'actions', 'events', 'backup', 'access'];
let csrf = null, cfg = null, source = null, events = [], lastStatus = null;

async function api(method, path, body, extra) {
  const headers = Object.assign({}, extra || {});
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf || '';
  const r = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const data = (r.headers.get('content-type') || '').includes('json') ? await r.json() : null;
  if (r.status === 401 && csrf && path !== '/api/password') { loggedOut('Your session has ended: log in again.'); }
  return { ok: r.ok, status: r.status, data };
}

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const c of children) e.append(c);
  return e;
}

function notice(text, error) {
  const n = $('notice');
  n.textContent = text || '';
  n.className = error ? 'error' : '';
  n.hidden = !text;
}

function show(view) {
  for (const v of ['setup', 'login', ...APP_VIEWS]) $('view-' + v).hidden = v !== view;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.getAttribute('href') === '#' + view);
}

async function start() {
  const s = (await api('GET', '/api/session')).data;
  $('station-name').textContent = s.name;
  document.title = s.name;
  if (s.stateError) notice(s.stateError, true);
  if (s.setupRequired) return show('setup');
  if (!s.authenticated) return show('login');
  csrf = s.csrf;
  enterApp();
}

function enterApp() {
  $('nav').hidden = false;
  phoneStart();
  connect();
  route();
}

function loggedOut(message) {
  csrf = null;
  phoneStop();
  if (source) source.close();
  source = null;
  $('nav').hidden = true;
  show('login');
  notice(message, false);
}

function route() {
  if (!csrf) return;
  let view = (location.hash || '#status').slice(1);
  if (!APP_VIEWS.includes(view)) view = 'status';
  show(view);
  if (view === 'config') loadConfig();
  if (view === 'events') loadEvents();
  if (view === 'access') loadTokens();
  if (view === 'status' || view === 'actions') api('GET', '/api/status').then(r => r.ok && renderStatus(r.data));
}

function connect() {
  source = new EventSource('/api/events/stream');
  source.addEventListener('status', e => renderStatus(JSON.parse(e.data)));
  source.addEventListener('event', e => addEvent(JSON.parse(e.data)));
  loadEvents();
}

// ---- status ----
const STATE_TEXT = { Idle: 'Idle', Calling: 'Calling…', InCall: 'In call' };

// Where the world reaches the account behind a NAT: the registration's Contact (what the registrar saw), whether SIP
// outbound keeps the flow, and the public RTP address STUN learned for the last call.
function publicAddress(a) {
  const parts = [];
  if (a.sipPublicAddress) parts.push('SIP ' + a.sipPublicAddress + (a.outbound ? ' (outbound flow)' : ''));
  if (a.mediaPublicAddress) parts.push('media ' + a.mediaPublicAddress);
  return parts.length ? parts.join(' · ') : '—';
}

function renderStatus(s) {
  lastStatus = s;
  const badge = $('call-state');
  badge.textContent = STATE_TEXT[s.callState] || s.callState;
  badge.dataset.state = s.callState;
  badge.className = 'badge ' + s.callState;
  $('status-call').textContent = STATE_TEXT[s.callState] || s.callState;
  $('status-accounts').replaceChildren(...(s.accounts.length ? s.accounts.map(a =>
    el('tr', {}, el('td', { textContent: a.id }), el('td', { textContent: a.aor }),
      el('td', { textContent: a.registration + (a.reason ? ' (' + a.reason + ')' : ''), className: a.registration === 'Registered' ? 'on' : '' }),
      el('td', { className: 'public-address', textContent: publicAddress(a) })))
    : [el('tr', {}, el('td', { colSpan: 4, textContent: 'No account: direct IP calls only.' }))]));
  if (s.firmware) {
    const f = s.firmware;
    $('firmware-status').textContent = 'Running ' + f.version + (f.release ? ' (' + f.release + (f.onTrial ? ', on trial' : '') + ')' : ' (as installed)')
      + (f.rolledBack ? '. The update ' + f.rolledBack + ' did not start and was rolled back.' : '');
    $('firmware-status').className = f.rolledBack ? 'error' : '';
  }
  $('status-relays').replaceChildren(...s.relays.map(r =>
    el('li', { id: 'relay-' + r.id }, r.id + ': ', el('span', { textContent: relayState(r), className: r.held ? 'held' : r.energised ? 'on' : '' }))));
  const door = !s.inputs.doorOpen ? 'closed' : 'open' + (s.inputs.doorForcedOpen ? ', FORCED (no release)' : '') + (s.inputs.doorHeldOpen ? ', HELD OPEN too long' : '');
  $('status-inputs').replaceChildren(
    el('li', { id: 'input-door', textContent: 'Door: ' + door }),
    el('li', { textContent: 'Tamper: ' + (s.inputs.tamper ? 'ACTIVE' : 'ok') }),
    el('li', { textContent: 'Code entry: ' + (s.inputs.codeEntryLockedOut ? 'locked out' : s.inputs.keypadLockedOut ? 'keypad locked out' : 'ok') }));
  const relayPath = r => '/api/relays/' + encodeURIComponent(r.id);
  $('action-relays').replaceChildren(...s.relays.map(r => el('div', { className: 'buttons' },
    el('button', { type: 'button', textContent: 'Open ' + r.id, onclick: () => act(relayPath(r) + '/open') }),
    ...(r.canHold ? [
      el('button', { type: 'button', id: 'hold-' + r.id, textContent: 'Hold ' + r.id + ' open', onclick: () => hold(relayPath(r)) }),
      el('button', { type: 'button', id: 'release-' + r.id, className: 'secondary', textContent: 'Release ' + r.id, onclick: () => act(relayPath(r) + '/release') }),
    ] : []))));
  $('hold-options').hidden = !s.relays.some(r => r.canHold);
  $('sim-card').hidden = !s.simulated;
  $('sim-buttons').replaceChildren(...s.buttons.map(b => el('button', { type: 'button', id: 'press-' + b, textContent: 'Press ' + b, onclick: () => act('/api/sim/buttons/' + encodeURIComponent(b) + '/press') })));
  const note = $('restart-note');
  note.hidden = !s.restartRequired.length;
  note.textContent = 'Saved, in force after the next restart: ' + s.restartRequired.join(', ');
}

// A hold is deliberate and shown as one: who holds the relay open, and until when.
function relayState(r) {
  if (r.held) return 'held open by ' + r.heldBy + (r.heldUntil ? ' until ' + new Date(r.heldUntil).toLocaleString() : '');
  return r.energised ? 'energised' : 'released';
}

function hold(path) {
  const minutes = $('hold-minutes').value;
  act(path + '/hold', minutes ? { minutes: Number(minutes) } : undefined);
}

async function act(path, body) {
  const r = await api('POST', path, body);
  notice(r.data ? (r.data.result || r.data.error) : '', !r.ok);
}

// ---- events ----
async function loadEvents() {
  const r = await api('GET', '/api/events?limit=200');
  if (!r.ok) return;
  events = r.data.events;
  renderEvents();
}

function addEvent(e) {
  if (events.length && events[events.length - 1].sequence >= e.sequence) return;
  events.push(e);
  if (events.length > 200) events.shift();
  renderEvents();
}

function renderEvents() {
  const newest = events.slice().reverse();
  const time = e => new Date(e.at).toLocaleString();
  $('events-table').replaceChildren(...newest.map(e => el('tr', {}, el('td', { textContent: e.sequence }), el('td', { textContent: time(e) }), el('td', { textContent: e.kind }), el('td', { textContent: e.message }))));
  $('status-events').replaceChildren(...newest.slice(0, 8).map(e => el('li', { textContent: time(e) + ' · ' + e.message })));
}

// ---- configuration ----
const keyOf = p => p.split('.').map(k => /^\d+$/.test(k) ? +k : k);
function getPath(obj, path) { return keyOf(path).reduce((o, k) => o == null ? undefined : o[k], obj); }
function setPath(obj, path, value) {
  const keys = keyOf(path), last = keys.pop();
  const parent = keys.reduce((o, k) => o[k], obj);
  parent[last] = value;
}

function input(path, label, opts) {
  opts = opts || {};
  const value = getPath(cfg, path);
  let field;
  if (opts.options) {
    // A value the list lacks (an account since removed) stays shown, so saving does not change it behind the user's back.
    const values = value != null && value !== '' && !opts.options.includes(value) ? [...opts.options, value] : opts.options;
    field = el('select', {}, ...values.map(o => el('option', { value: o, textContent: o })));
    // opts.unset: the label of "not set" (null in the file), shown first as the empty value.
    if (opts.unset) { field.prepend(el('option', { value: '', textContent: opts.unset })); field.dataset.unset = ''; }
    field.value = value == null ? '' : value;
  } else if (opts.list) {
    field = el('textarea', { rows: 2, value: (value || []).join('\n') });
    field.dataset.list = '';
  } else if (opts.checkbox) {
    field = el('input', { type: 'checkbox', checked: !!value });
  } else {
    field = el('input', { type: opts.type || 'text', value: value == null ? '' : value });
    // A number left empty is null in the file ("not set": a code's hang-up falls back to the station's).
    if (opts.nullable) field.dataset.nullable = '';
    if (opts.type === 'password') { field.placeholder = opts.placeholder || 'stored: leave empty to keep'; field.value = ''; field.autocomplete = 'new-password'; }
    if (opts.readOnly) field.readOnly = true;
  }
  field.dataset.path = path;
  return opts.checkbox ? el('label', {}, field, ' ' + label) : el('label', {}, label + ' ', field);
}

function row(fields, onRemove) {
  const r = el('div', { className: 'row' }, el('div', { className: 'fields' }, ...fields));
  if (onRemove) r.append(el('button', { type: 'button', className: 'secondary', textContent: 'Remove', onclick: () => { onRemove(); renderConfig(); } }));
  return r;
}

// Nothing on the form is editable or saveable while its configuration loads: the render puts the file's values over
// what was typed meanwhile (the fields written in the HTML exist before the load), and the edit would be lost unseen.
function configLoading(loading) {
  for (const c of $('config-form').elements) if (c.tagName === 'FIELDSET' || !c.parentElement.closest('fieldset')) c.disabled = loading;
}

async function loadConfig() {
  configLoading(true);
  const r = await api('GET', '/api/config');
  if (!r.ok) return;
  cfg = r.data;
  $('config-errors').replaceChildren();
  renderConfig();
  configLoading(false);
}

function renderConfig() {
  const st = cfg.station;
  const groups = st.ringGroups.map(g => g.id), relays = st.relays.map(r => r.id);
  for (const f of document.querySelectorAll('#config-form > fieldset > label [data-path]')) {
    const v = getPath(cfg, f.dataset.path);
    if (f.type === 'checkbox') f.checked = !!v; else if (f.dataset.list !== undefined) f.value = (v || []).join('\n'); else f.value = v == null ? '' : v;
  }
  $('cfg-accounts').replaceChildren(...cfg.accounts.map((a, i) => row([
    input(`accounts.${i}.id`, 'Id'), input(`accounts.${i}.aor`, 'Address (AOR)'), input(`accounts.${i}.username`, 'User name'),
    input(`accounts.${i}.password`, 'Password', { type: 'password' }), input(`accounts.${i}.registrar`, 'Registrar'),
    input(`accounts.${i}.transport`, 'Transport', { options: ['udp', 'tcp', 'tls'] }), input(`accounts.${i}.register`, 'Register', { checkbox: true }),
    input(`accounts.${i}.srtp`, 'Media encryption', { options: ['off', 'offered', 'required', 'dtls-srtp'] }),
    ...(a.nat ? [input(`accounts.${i}.nat.ice`, 'ICE (with a STUN server)', { checkbox: true })] : []),
  ], () => cfg.accounts.splice(i, 1))));
  $('cfg-buttons').replaceChildren(...st.buttons.map((b, i) => row([
    input(`station.buttons.${i}.id`, 'Button', { readOnly: true }), input(`station.buttons.${i}.ringGroup`, 'Calls ring group', { options: groups }),
  ])));
  $('cfg-groups').replaceChildren(...st.ringGroups.map((g, i) => row([
    input(`station.ringGroups.${i}.id`, 'Id'), input(`station.ringGroups.${i}.targets`, 'Targets (one per line)', { list: true }),
    input(`station.ringGroups.${i}.mode`, 'Mode', { options: ['Parallel', 'Sequential'] }),
    input(`station.ringGroups.${i}.ringTimeoutSeconds`, 'Ring timeout (s)', { type: 'number' }),
    input(`station.ringGroups.${i}.account`, 'Calls from account', { options: cfg.accounts.map(a => a.id), unset: 'default' }),
  ], () => st.ringGroups.splice(i, 1))));
  $('cfg-relays').replaceChildren(...st.relays.map((r, i) => row([
    input(`station.relays.${i}.id`, 'Relay', { readOnly: true }), input(`station.relays.${i}.pulseMs`, 'Pulse (ms)', { type: 'number' }),
    input(`station.relays.${i}.mode`, 'Mode (Hold: may stay open; needs a lock rated for it)', { options: ['Pulse', 'Hold'] }),
  ])));
  $('cfg-schedules').replaceChildren(...st.schedules.map((s, i) => row([
    input(`station.schedules.${i}.id`, 'Id'), input(`station.schedules.${i}.days`, 'Days (mon-fri, sat,sun, daily)'),
    input(`station.schedules.${i}.from`, 'From (HH:mm)'), input(`station.schedules.${i}.to`, 'To (HH:mm)'),
    input(`station.schedules.${i}.holdRelays`, 'Holds open (relay ids in Hold mode, one per line)', { list: true }),
  ], () => st.schedules.splice(i, 1))));
  // Codes are write-only: the station sends "set" instead of the digits and keeps the stored code of an entry (by id) left empty.
  $('cfg-codes').replaceChildren(...st.codes.map((c, i) => row([
    input(`station.codes.${i}.id`, 'Name', { readOnly: !!c.set }),
    input(`station.codes.${i}.code`, 'Code', { type: 'password', placeholder: c.set ? 'set: leave empty to keep' : 'digits' }),
    input(`station.codes.${i}.relay`, 'Opens', { options: relays }),
    input(`station.codes.${i}.hangUpAfterSeconds`, 'Then ends the call after (s; empty: as below)', { type: 'number', nullable: true }),
  ], () => st.codes.splice(i, 1))));
  $('config-json').value = JSON.stringify(cfg, null, 2);
}

function onFieldChange(e) {
  const f = e.target;
  if (!f.dataset || !f.dataset.path || !cfg) return;
  let v = f.value;
  if (f.type === 'checkbox') v = f.checked;
  else if (f.dataset.list !== undefined) v = v.split('\n').map(s => s.trim()).filter(Boolean);
  else if (f.type === 'number') v = v === '' && f.dataset.nullable !== undefined ? null : Number(v);
  else if (f.type === 'password' && v === '') v = null;
  else if (f.dataset.unset !== undefined && v === '') v = null;
  else if (v === '' && getPath(cfg, f.dataset.path) === null) v = null;
  setPath(cfg, f.dataset.path, v);
  $('config-json').value = JSON.stringify(cfg, null, 2);
}

async function saveConfig(body, errorList, passwordField) {
  for (const f of document.querySelectorAll('.invalid')) f.classList.remove('invalid');
  // Door codes change only with the admin password re-entered (sent once, then cleared).
  const pw = $(passwordField || 'config-password');
  const r = await api('PUT', '/api/config', body, pw.value ? { 'X-Admin-Password': pw.value } : {});
  pw.value = '';
  if (r.data && r.data.passwordRequired) pw.classList.add('invalid');
  if (r.ok) {
    const parts = [];
    if (r.data.applied.length) parts.push('applied now: ' + r.data.applied.join(', '));
    if (r.data.restartRequired.length) parts.push('in force after a restart: ' + r.data.restartRequired.join(', '));
    notice('Saved' + (parts.length ? ' (' + parts.join('; ') + ').' : '.'));
    errorList.replaceChildren();
    if (!$('view-config').hidden) loadConfig();
    return;
  }
  notice(r.data ? r.data.error : 'Refused (' + r.status + ')', true);
  errorList.replaceChildren(...((r.data && r.data.errors) || []).map(e => {
    const f = document.querySelector(`[data-path="${e.field.replace(/\[(\d+)\]/g, '.$1')}"]`);
    if (f) f.classList.add('invalid');
    return el('li', { textContent: e.field + ': ' + e.reason });
  }));
}

// ---- access ----
async function loadTokens() {
  const r = await api('GET', '/api/tokens');
  if (!r.ok) return;
  const when = t => t ? new Date(t).toLocaleString() : 'never';
  $('tokens').replaceChildren(...r.data.tokens.map(t => el('tr', {}, el('td', { textContent: t.name }), el('td', { className: 'scopes', textContent: t.scopes.join(', ') }), el('td', { textContent: when(t.createdAt) }),
    el('td', { textContent: when(t.lastUsedAt) }),
    el('td', {}, el('button', { type: 'button', className: 'secondary', textContent: 'Revoke', onclick: async () => { await api('DELETE', '/api/tokens/' + t.id); loadTokens(); } })))));
}

function on(id, event, handler) { $(id).addEventListener(event, handler); }

on('setup-form', 'submit', async e => {
  e.preventDefault();
  if ($('setup-password').value !== $('setup-repeat').value) return notice('The two passwords differ.', true);
  const r = await api('POST', '/api/setup', { password: $('setup-password').value, setupSecret: $('setup-secret').value });
  if (!r.ok) return notice(r.data ? r.data.error : 'Refused', true);
  csrf = r.data.csrf;
  notice('Password set.');
  enterApp();
});
on('login-form', 'submit', async e => {
  e.preventDefault();
  const r = await api('POST', '/api/login', { password: $('login-password').value });
  $('login-password').value = '';
  if (!r.ok) return notice(r.data ? r.data.error : 'Refused', true);
  csrf = r.data.csrf;
  notice('');
  enterApp();
});
on('config-form', 'input', onFieldChange);
on('config-form', 'change', onFieldChange);
on('config-form', 'submit', e => { e.preventDefault(); saveConfig(cfg, $('config-errors')); });
on('save-json', 'click', () => {
  let body;
  try { body = JSON.parse($('config-json').value); } catch (x) { return notice('Not valid JSON: ' + x.message, true); }
  saveConfig(body, $('config-errors'));
});
on('add-account', 'click', () => { cfg.accounts.push({ id: 'account' + (cfg.accounts.length + 1), aor: 'sip:door@pbx.example', transport: 'udp', register: true }); renderConfig(); });
on('add-group', 'click', () => { cfg.station.ringGroups.push({ id: 'group' + (cfg.station.ringGroups.length + 1), targets: [], mode: 'Parallel', ringTimeoutSeconds: 30 }); renderConfig(); });
on('add-code', 'click', () => {
  const ids = new Set(cfg.station.codes.map(c => c.id));
  let n = cfg.station.codes.length + 1;
  while (ids.has('code' + n)) n++;
  cfg.station.codes.push({ id: 'code' + n, code: null, relay: cfg.station.relays[0].id });
  renderConfig();
});
on('add-schedule', 'click', () => { cfg.station.schedules.push({ id: 'schedule' + (cfg.station.schedules.length + 1), days: 'mon-fri', from: '09:00', to: '18:00', holdRelays: [] }); renderConfig(); });
on('call-form', 'submit', e => { e.preventDefault(); act('/api/call', { target: $('call-target').value }); });
on('hangup', 'click', () => act('/api/hangup'));
on('backup-secrets', 'change', e => { $('backup-link').href = '/api/config/backup' + (e.target.checked ? '?secrets=true' : ''); });
on('restore', 'click', async () => {
  const file = $('restore-file').files[0];
  if (!file) return notice('Choose a backup file first.', true);
  let body;
  try { body = JSON.parse(await file.text()); } catch (x) { return notice('Not a configuration file: ' + x.message, true); }
  saveConfig(body, $('restore-errors'), 'restore-password');
});
on('firmware-update', 'click', async () => {
  const archive = $('firmware-file').files[0], signature = $('firmware-signature').files[0];
  if (!archive || !signature) return notice('Choose the release and its signature first.', true);
  const r = await fetch('/api/firmware', {
    method: 'POST', credentials: 'same-origin', body: archive,
    headers: { 'Content-Type': 'application/gzip', 'X-CSRF-Token': csrf || '', 'X-Admin-Password': $('firmware-password').value,
      'X-Release-Signature': (await signature.text()).trim() },
  });
  const data = (r.headers.get('content-type') || '').includes('json') ? await r.json() : null;
  $('firmware-password').value = '';
  if (!r.ok) return notice('Not installed: ' + (data ? data.error : r.status), true);
  notice('Installed ' + data.release + ': the station restarts into it now.');
});
on('token-form', 'submit', async e => {
  e.preventDefault();
  const scopes = ['read', 'operate', 'configure'].filter(s => $('scope-' + s).checked);
  const r = await api('POST', '/api/tokens', { name: $('token-name').value, scopes });
  if (!r.ok) return notice(r.data ? r.data.error : 'Refused', true);
  const shown = $('token-new');
  shown.textContent = 'New token (copy it now, it is not shown again): ' + r.data.token;
  shown.hidden = false;
  $('token-name').value = '';
  loadTokens();
});
on('password-form', 'submit', async e => {
  e.preventDefault();
  const r = await api('POST', '/api/password', { current: $('pw-current').value, password: $('pw-new').value });
  $('pw-current').value = $('pw-new').value = '';
  notice(r.data ? (r.data.result || r.data.error) : '', !r.ok);
});
on('logout', 'click', async () => { await api('POST', '/api/logout'); loggedOut('Logged out.'); });
// ---- The page as a door phone: SIP over the station's WebSocket (RFC 7118) and WebRTC media. While the page is open
// and logged in it registers (RFC 3261 §10.2; the session's WebSocket needs no digest), the station's ring group
// target "web" rings it, and it answers with an RTCPeerConnection; it also calls the door ("look in and talk"). One
// call at a time, nothing more.
const phone = { ws: null, call: null, lastOut: null, cseq: 0, timer: null, retry: null, user: null, host: null, callId: null, tag: null };

function rnd(n) { const a = new Uint8Array(n); crypto.getRandomValues(a); return Array.from(a, b => b.toString(16).padStart(2, '0')).join(''); }

function phoneShow(text) {
  const state = phone.call ? phone.call.state : null;
  $('phone').hidden = !text;
  $('phone-state').textContent = text || '';
  $('phone-call').hidden = !!state || !phone.registered;
  $('phone-answer').hidden = state !== 'ringing';
  $('phone-open').hidden = state !== 'connected';
  $('phone-keys').hidden = state !== 'connected';
  $('phone-hangup').hidden = !state;
}

function phoneStart() {
  if (phone.ws || !csrf || !window.WebSocket || !window.RTCPeerConnection) return;
  // RFC 7118 §5: a made-up .invalid host; the station reaches this page only over this WebSocket.
  phone.user = phone.user || rnd(4); phone.host = phone.host || rnd(4) + '.invalid';
  phone.callId = rnd(8) + '@' + phone.host; phone.tag = rnd(6);
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/sip', 'sip');
  phone.ws = ws;
  ws.onopen = () => phoneRegister(600);
  ws.onmessage = e => { if (typeof e.data === 'string') phoneReceive(sipParse(e.data)); };
  ws.onclose = () => {
    if (phone.ws !== ws) return;
    phone.ws = null; clearTimeout(phone.timer); phoneEnd(); phoneShow(null);
    if (csrf && phone.registered) phone.retry = setTimeout(phoneStart, 10000);
    phone.registered = false;
  };
}

function phoneStop() {
  clearTimeout(phone.retry); clearTimeout(phone.timer);
  const ws = phone.ws; phone.ws = null; phone.registered = false; phoneEnd(); phoneShow(null);
  if (ws) ws.close();
}

function sipParse(text) {
  const at = text.indexOf('\r\n\r\n');
  const lines = (at < 0 ? text : text.slice(0, at)).split('\r\n');
  const first = lines.shift().split(' ');
  const m = { body: at < 0 ? '' : text.slice(at + 4), headers: [] };
  if (first[0] === 'SIP/2.0') m.status = parseInt(first[1], 10); else { m.method = first[0]; m.uri = first[1]; }
  const compact = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' };
  for (const line of lines) {
    const c = line.indexOf(':');
    if (c > 0) { const name = line.slice(0, c).trim().toLowerCase(); m.headers.push([compact[name] || name, line.slice(c + 1).trim()]); }
  }
  return m;
}

const sipHeader = (m, name) => m.headers.filter(h => h[0] === name).map(h => h[1]);

function sipSend(lines, body) {
  if (!phone.ws || phone.ws.readyState !== 1) return;
  body = body || '';
  phone.ws.send(lines.join('\r\n') + '\r\nContent-Length: ' + new TextEncoder().encode(body).length + '\r\n\r\n' + body);
}

function phoneRegister(expires) {
  const host = location.hostname, via = location.protocol === 'https:' ? 'WSS' : 'WS';
  phone.contact = `<sip:${phone.user}@${phone.host};transport=ws>`;
  sipSend([`REGISTER sip:${host} SIP/2.0`, `Via: SIP/2.0/${via} ${phone.host};branch=z9hG4bK${rnd(8)}`, 'Max-Forwards: 70',
    `From: <sip:admin@${host}>;tag=${phone.tag}`, `To: <sip:admin@${host}>`, `Call-ID: ${phone.callId}`, `CSeq: ${++phone.cseq} REGISTER`,
    `Contact: ${phone.contact};expires=${expires}`, `Expires: ${expires}`]);
}

// A response within the request's transaction (RFC 3261 §8.2.6): its Vias, From, Call-ID and CSeq; To with our tag.
function sipReply(m, status, reason, extra, body) {
  let to = sipHeader(m, 'to')[0] || '';
  if (status > 100 && !/;\s*tag=/i.test(to)) to += ';tag=' + (phone.call && phone.call.id === sipHeader(m, 'call-id')[0] ? phone.call.tag : rnd(6));
  sipSend([`SIP/2.0 ${status} ${reason}`, ...sipHeader(m, 'via').map(v => 'Via: ' + v), 'From: ' + sipHeader(m, 'from')[0], 'To: ' + to,
    'Call-ID: ' + sipHeader(m, 'call-id')[0], 'CSeq: ' + sipHeader(m, 'cseq')[0], ...(extra || [])], body);
}

function phoneReceive(m) {
  const callId = sipHeader(m, 'call-id')[0], call = phone.call, ours = call && call.id === callId;
  if (m.status) {
    const out = [call, phone.lastOut].find(c => c && c.outgoing && c.id === callId);
    if (out && /^1 INVITE$/.test(sipHeader(m, 'cseq')[0] || '')) return phoneCallAnswered(out, m);
    if (/REGISTER$/.test(sipHeader(m, 'cseq')[0] || '') && m.status >= 200) {
      if (m.status !== 200) { phoneShow('Door phone refused (' + m.status + ')'); phone.registered = false; return; }
      // Refreshed at half the time the station granted (§10.2.4), at most ten minutes.
      const granted = parseInt((/expires=(\d+)/i.exec(sipHeader(m, 'contact').join(',')) || [])[1] || '300', 10);
      phone.registered = true; clearTimeout(phone.timer);
      phone.timer = setTimeout(() => phoneRegister(600), Math.min(granted, 600) * 500);
      if (!call) phoneShow('Door phone ready');
    }
    return;
  }
  switch (m.method) {
    case 'INVITE':
      if (ours) return sipReply(m, 200, 'OK', [`Contact: ${phone.contact}`, 'Content-Type: application/sdp'], call.pc ? call.pc.localDescription.sdp : '');
      if (call) return sipReply(m, 486, 'Busy Here');
      phone.call = { id: callId, tag: rnd(6), state: 'ringing', invite: m, cseq: 0 };
      sipReply(m, 180, 'Ringing');
      return phoneShow('Someone is at the door');
    case 'ACK': return;
    case 'CANCEL':
      sipReply(m, 200, 'OK');
      if (ours && call.state !== 'connected') { sipReply(call.invite, 487, 'Request Terminated'); phoneEnd(); phoneShow('Door phone ready'); }
      return;
    case 'BYE':
      sipReply(m, ours ? 200 : 481, ours ? 'OK' : 'Call/Transaction Does Not Exist');
      if (ours) { phoneEnd(); phoneShow('Door phone ready'); }
      return;
    case 'OPTIONS': case 'INFO': case 'UPDATE': return sipReply(m, 200, 'OK');
    default: return sipReply(m, 405, 'Method Not Allowed', ['Allow: INVITE, ACK, CANCEL, BYE, OPTIONS']);
  }
}

// Non-trickle (the station's SDP has its candidates too): ours go in the SDP, gathered within 3 s.
const iceGathered = pc => new Promise(done => {
  if (pc.iceGatheringState === 'complete') return done();
  pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && done(); setTimeout(done, 3000);
});

async function phoneMedia(call) {
  // The microphone is asked for on the first call, not before: the browser asks the user then.
  call.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const pc = call.pc = new RTCPeerConnection();
  call.stream.getTracks().forEach(t => pc.addTrack(t, call.stream));
  pc.ontrack = e => { $('phone-audio').srcObject = e.streams[0] || new MediaStream([e.track]); };
  return pc;
}

// Look in and talk: the page calls the door (RFC 3261 §13.2.1). The station answers it as it answers a resident's
// phone (station.incoming: auto-answer, the call time limit); the page's session, not a SIP password, says who calls.
async function phoneCall() {
  if (phone.call || !phone.registered) return;
  const host = location.hostname, via = location.protocol === 'https:' ? 'WSS' : 'WS';
  const call = phone.call = phone.lastOut = { id: rnd(8) + '@' + phone.host, tag: rnd(6), state: 'calling', outgoing: true, cseq: 1,
    uri: `sip:door@${host}`, via: `SIP/2.0/${via} ${phone.host};branch=z9hG4bK${rnd(8)}` };
  call.from = `<sip:admin@${host}>;tag=${call.tag}`; call.to = `<sip:door@${host}>`; call.target = call.uri;
  phoneShow('Calling the door…');
  try {
    const pc = await phoneMedia(call);
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc);
    if (phone.call !== call) return;
    sipSend([`INVITE ${call.uri} SIP/2.0`, `Via: ${call.via}`, 'Max-Forwards: 70', `From: ${call.from}`, `To: ${call.to}`, `Call-ID: ${call.id}`,
      'CSeq: 1 INVITE', `Contact: ${phone.contact}`, 'Content-Type: application/sdp'], pc.localDescription.sdp);
    call.sent = true;
  } catch (e) {
    if (phone.call === call) { phoneEnd(); phoneShow('Cannot call: ' + e.message); }
  }
}

// A response to the page's INVITE: the ACK of a failure is part of its transaction (§17.1.1.3), that of a 2xx goes to
// the door's Contact with a branch of its own (§13.2.2.4), for every retransmitted 2xx as well.
async function phoneCallAnswered(call, m) {
  if (m.status < 200) { if (call.state === 'calling') phoneShow('Calling the door…'); return; }
  const to = sipHeader(m, 'to')[0] || call.to;
  if (m.status >= 300) {
    sipSend([`ACK ${call.uri} SIP/2.0`, `Via: ${call.via}`, 'Max-Forwards: 70', `From: ${call.from}`, `To: ${to}`, `Call-ID: ${call.id}`, 'CSeq: 1 ACK']);
    if (phone.call === call) { phoneEnd(); phoneShow(m.status === 480 ? 'The door takes no calls (station.incoming.autoAnswer)' : 'The door refused the call (' + m.status + ')'); }
    return;
  }
  call.to = to; call.target = (/<([^>]+)>/.exec(sipHeader(m, 'contact')[0] || '') || [])[1] || call.uri;
  sipSend([`ACK ${call.target} SIP/2.0`, `Via: SIP/2.0/${location.protocol === 'https:' ? 'WSS' : 'WS'} ${phone.host};branch=z9hG4bK${rnd(8)}`,
    'Max-Forwards: 70', `From: ${call.from}`, `To: ${call.to}`, `Call-ID: ${call.id}`, 'CSeq: 1 ACK']);
  if (call.state !== 'calling') return;
  if (phone.call !== call) { call.state = 'ended'; return phoneBye(call); }
  try {
    await call.pc.setRemoteDescription({ type: 'answer', sdp: m.body });
    call.state = 'connected'; phoneShow('In a call with the door');
  } catch (e) {
    phoneBye(call); phoneEnd(); phoneShow('Cannot talk to the door: ' + e.message);
  }
}

// BYE within the dialog (§15.1.1): to the far end's Contact, over this WebSocket.
function phoneBye(call) {
  sipSend([`BYE ${call.target} SIP/2.0`, `Via: SIP/2.0/${location.protocol === 'https:' ? 'WSS' : 'WS'} ${phone.host};branch=z9hG4bK${rnd(8)}`, 'Max-Forwards: 70',
    `From: ${call.from}`, `To: ${call.to}`, `Call-ID: ${call.id}`, `CSeq: ${++call.cseq} BYE`]);
}

async function phoneAnswer() {
  const call = phone.call;
  if (!call || call.state !== 'ringing') return;
  call.state = 'answering'; phoneShow('Connecting…');
  try {
    const pc = await phoneMedia(call);
    await pc.setRemoteDescription({ type: 'offer', sdp: call.invite.body });
    await pc.setLocalDescription(await pc.createAnswer());
    await iceGathered(pc);
    if (phone.call !== call) return;
    // The dialog as the UAS sees it (§12.1.1): our From is the INVITE's To with our tag, the far end its Contact.
    const inv = call.invite;
    call.from = `${sipHeader(inv, 'to')[0]};tag=${call.tag}`; call.to = sipHeader(inv, 'from')[0];
    call.target = (/<([^>]+)>/.exec(sipHeader(inv, 'contact')[0] || '') || [])[1] || inv.uri;
    sipReply(call.invite, 200, 'OK', [`Contact: ${phone.contact}`, 'Content-Type: application/sdp'], pc.localDescription.sdp);
    call.state = 'connected'; phoneShow('In a call with the door');
  } catch (e) {
    if (phone.call === call) { sipReply(call.invite, 488, 'Not Acceptable Here'); phoneEnd(); phoneShow('Cannot answer: ' + e.message); }
  }
}

function phoneHangUp() {
  const call = phone.call;
  if (!call) return;
  if (call.state === 'connected') phoneBye(call);
  else if (call.outgoing) {
    // CANCEL (§9.1): the INVITE's Via, From, To and Call-ID; the door answers the INVITE 487 (ACKed above).
    if (call.sent) sipSend([`CANCEL ${call.uri} SIP/2.0`, `Via: ${call.via}`, 'Max-Forwards: 70', `From: ${call.from}`, `To: ${call.to}`, `Call-ID: ${call.id}`, 'CSeq: 1 CANCEL']);
  } else sipReply(call.invite, 603, 'Decline');
  phoneEnd(); phoneShow('Door phone ready');
}

function phoneEnd() {
  const call = phone.call;
  phone.call = null;
  if (!call) return;
  if (call.pc) call.pc.close();
  if (call.stream) call.stream.getTracks().forEach(t => t.stop());
  $('phone-audio').srcObject = null;
}

// Open door: the station opens the door as for a right code keyed in this call, logged with the page's web user; it
// refuses unless this page's phone is the call in progress.
async function phoneOpenDoor() {
  const r = await api('POST', '/api/call/open-door');
  notice(r.ok ? 'Door opened.' : (r.data && r.data.error) || 'The door did not open.', !r.ok);
}

// A key of the keypad in a call: an RFC 4733 event on the call's audio (RTCDTMFSender), which the door takes as a digit
// keyed on a phone, through the same code lock; a gate's code, say, opens the gate.
function phoneKey(e) {
  const key = e.target.dataset && e.target.dataset.key, call = phone.call;
  if (!key || !call || call.state !== 'connected' || !call.pc) return;
  const sender = call.pc.getSenders().find(s => s.dtmf);
  // insertDTMF replaces the tones still waiting: keys pressed faster than they are sent are appended to them.
  if (sender && sender.dtmf.canInsertDTMF) sender.dtmf.insertDTMF(sender.dtmf.toneBuffer + key, 120, 80);
  else notice('The door agreed no DTMF for this call.', true);
}

on('phone-call', 'click', phoneCall);
on('phone-answer', 'click', phoneAnswer);
on('phone-hangup', 'click', phoneHangUp);
on('phone-open', 'click', phoneOpenDoor);
on('phone-keys', 'click', phoneKey);
window.addEventListener('hashchange', route);
start();
