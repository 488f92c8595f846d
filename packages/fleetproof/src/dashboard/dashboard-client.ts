import type { chartBoard } from '../report/chart-client.js';
import type { DashboardUpdate } from './dashboard-view.js';

// The package compiles without the DOM library: the page script is typed loosely on purpose.
// biome-ignore lint/suspicious/noExplicitAny: DOM objects in a script compiled without the DOM library
type Dom = any;
declare const document: Dom;
declare const location: { search: string };
declare const EventSource: new (url: string) => Dom;
declare const window: Dom;

/**
 * Runs in the dashboard page (inlined with Function.prototype.toString: nothing from this module's scope).
 * Follows the server-sent updates: title, group figures, charts (through the shared chart board), target
 * health with reason codes, the event timeline; the buttons post actions with the token from the URL.
 * `window.fleetproofDashboard` holds the last update and their count, for tests and the curious.
 */
export function dashboardClient(uPlotCtor: unknown, board: typeof chartBoard): void {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const $ = (id: string) => document.getElementById(id);
  const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c: string) => `&#${c.charCodeAt(0)};`);
  const charts = board(uPlotCtor as Parameters<typeof chartBoard>[0]);
  const state: { latest: DashboardUpdate | null; updates: number; ended: boolean } = {
    latest: null,
    updates: 0,
    ended: false,
  };
  window.fleetproofDashboard = state;

  const say = (text: string, bad = false) => {
    const out = $('action-result');
    out.textContent = text;
    out.className = bad ? 'bad' : 'ok';
  };
  const post = async (path: string, body: object) => {
    say(`${path} …`);
    try {
      const res = await fetch(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: { error?: string } = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { error: text };
      }
      if (!res.ok) say(`${path}: ${parsed.error ?? res.status}`, true);
      else say(`${path}: ${text.slice(0, 300)}`);
    } catch (error) {
      say(`${path}: ${(error as Error).message}`, true);
    }
  };

  const showActions = (u: DashboardUpdate) => {
    const a = u.actions;
    $('actions').classList.toggle('off', !a.enabled);
    $('actions-why').textContent = a.enabled ? '' : (a.why ?? '');
    for (const el of document.querySelectorAll('#actions button, #actions input, #actions select'))
      el.disabled = !a.enabled;
    if (a.scale) {
      const input = $('desired');
      input.min = String(a.scale.min);
      input.max = String(a.scale.max);
      if (input.value === '') input.value = String(a.scale.desired);
      $('scale-range').textContent = `${a.scale.min}–${a.scale.max}`;
    }
    const select = $('fault-kind');
    if (select.options.length !== a.faults.length) {
      select.innerHTML = a.faults.map((f) => `<option>${esc(f.kind)}</option>`).join('');
      select.onchange();
    }
    $('fault-row').hidden = a.faults.length === 0;
  };
  const showTargets = (u: DashboardUpdate) => {
    $('targets').innerHTML = u.targets.length
      ? u.targets
          .map(
            (t) =>
              `<tr class="${esc(t.health)}"><td><code>${esc(t.id)}</code></td><td>${esc(t.zone)}</td><td>${esc(t.version)}</td><td>${esc(t.lifecycle)}</td><td><b>${esc(t.health)}</b></td><td><code>${esc(t.reason)}</code></td><td>${t.cpuPercent === null ? '–' : `${t.cpuPercent}%`}</td><td><button class="stop" data-id="${esc(t.id)}" ${u.actions.enabled && t.lifecycle !== 'terminating' ? '' : 'disabled'}>stop</button></td></tr>`,
          )
          .join('')
      : '<tr><td colspan="8">no instances</td></tr>';
  };
  const show = (u: DashboardUpdate) => {
    $('title').textContent = u.title;
    $('run').textContent = `${u.run} · ${u.at.toFixed(1)} s`;
    const g = u.group;
    $('figures').textContent = g
      ? `desired ${g.desired} · in service ${g.inService} · healthy ${g.healthy}${g.refresh ? ` · ${g.refresh}` : ''}`
      : '';
    charts.render(u.charts, $('charts'));
    showTargets(u);
    $('events').innerHTML = u.events
      .map(
        (e) =>
          `<tr${e.reason.startsWith('Fault') ? ' class="fault"' : ''}><td>${e.t.toFixed(1)} s</td><td><code>${esc(e.reason)}</code></td><td>${esc(e.message)}</td></tr>`,
      )
      .join('');
    $('verdicts').innerHTML = u.verdicts
      .map(
        (v) =>
          `<li class="${v.passed ? 'ok' : 'bad'}">${v.passed ? '✓' : '✗'} ${esc(v.id)} ${esc(v.title)}</li>`,
      )
      .join('');
    showActions(u);
  };

  // Each fault's parameters pre-filled with the control API's fields (fault-handlers.ts), to edit.
  $('fault-kind').onchange = () => {
    const fault = state.latest?.actions.faults.find((f) => f.kind === $('fault-kind').value);
    $('fault-params').value = JSON.stringify(fault?.defaults ?? {});
  };
  $('scale').onclick = () => post('/action/scale', { desired: Number($('desired').value) });
  $('deploy').onclick = () => post('/action/deploy', { version: $('version').value });
  $('fault').onclick = () => {
    let body: object;
    try {
      body = JSON.parse($('fault-params').value || '{}');
    } catch {
      return say(
        `fault parameters: expected JSON such as {"forMs": 10000}, got ${$('fault-params').value}`,
        true,
      );
    }
    return post(`/action/fault/${encodeURIComponent($('fault-kind').value)}`, body);
  };
  $('targets').onclick = (event: Dom) => {
    const id = event.target?.dataset?.id;
    if (id) void post('/action/terminate', { instanceId: id });
  };

  const connect = () => {
    const stream = new EventSource(`/stream?token=${encodeURIComponent(token)}`);
    stream.onopen = () => {
      $('connection').textContent = 'live';
      $('connection').className = 'live';
    };
    stream.onerror = () => {
      if (state.ended) return;
      $('connection').textContent = 'reconnecting…';
      $('connection').className = 'down';
    };
    // The run is over: the server said so before closing; the page keeps its last view.
    stream.addEventListener('end', () => {
      state.ended = true;
      stream.close();
      $('connection').textContent = 'ended';
      $('connection').className = 'ended';
    });
    stream.onmessage = (message: { data: string }) => {
      const update = JSON.parse(message.data) as DashboardUpdate & { error?: string };
      if (update.error) return say(update.error, true);
      state.latest = update;
      state.updates += 1;
      show(update);
    };
  };
  connect();
}
