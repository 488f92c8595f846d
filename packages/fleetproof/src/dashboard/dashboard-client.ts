import type { chartBoard } from '../report/chart-client.js';
import type { DashboardUpdate } from './dashboard-view.js';

// The package compiles without the DOM library: the page script is typed loosely on purpose.
// biome-ignore lint/suspicious/noExplicitAny: DOM objects in a script compiled without the DOM library
type Dom = any;
declare const document: Dom;
declare const location: { search: string };
declare const EventSource: new (url: string) => Dom;
declare const window: Dom;

/** Text for HTML: the five characters that could open markup, as character references. */
export function escHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c: string) => `&#${c.charCodeAt(0)};`);
}

/** The targets table's rows: health and ALB reason code per instance, and its stop button. */
export function targetRows(u: DashboardUpdate): string {
  if (u.targets.length === 0) return '<tr><td colspan="8">no instances</td></tr>';
  return u.targets
    .map((t) => {
      const stoppable = u.actions.enabled && t.lifecycle !== 'terminating';
      const cells = [t.id, t.zone, t.version, t.lifecycle, t.health, t.reason].map((v) => escHtml(v));
      return `<tr class="${cells[4]}"><td><code>${cells[0]}</code></td><td>${cells[1]}</td><td>${cells[2]}</td><td>${cells[3]}</td><td><b>${cells[4]}</b></td><td><code>${cells[5]}</code></td><td>${t.cpuPercent === null ? '–' : `${t.cpuPercent}%`}</td><td><button class="stop" data-id="${cells[0]}" ${stoppable ? '' : 'disabled'}>stop</button></td></tr>`;
    })
    .join('');
}

/** The timeline's rows, newest first as the view orders them; faults tinted as on the charts. */
export function eventRows(u: DashboardUpdate): string {
  return u.events
    .map(
      (e) =>
        `<tr${e.reason.startsWith('Fault') ? ' class="fault"' : ''}><td>${e.t.toFixed(1)} s</td><td><code>${escHtml(e.reason)}</code></td><td>${escHtml(e.message)}</td></tr>`,
    )
    .join('');
}

/** prove's verdicts reached so far. */
export function verdictItems(u: DashboardUpdate): string {
  return u.verdicts
    .map(
      (v) =>
        `<li class="${v.passed ? 'ok' : 'bad'}">${v.passed ? '✓' : '✗'} ${escHtml(v.id)} ${escHtml(v.title)}</li>`,
    )
    .join('');
}

/** What an action did (or why it failed), under the buttons. */
export function sayResult(text: string, bad = false): void {
  const out = document.getElementById('action-result');
  out.textContent = text;
  out.className = bad ? 'bad' : 'ok';
}

/** Posts an action with the token as a Bearer header; the answer, or the error it names, is shown. */
export async function postAction(token: string, path: string, body: object): Promise<void> {
  sayResult(`${path} …`);
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
    if (!res.ok) sayResult(`${path}: ${parsed.error ?? res.status}`, true);
    else sayResult(`${path}: ${text.slice(0, 300)}`);
  } catch (error) {
    sayResult(`${path}: ${(error as Error).message}`, true);
  }
}

/** The actions panel as the update allows it: enabled or why not, the scale range, the fault choices. */
export function showActions(u: DashboardUpdate): void {
  const $ = (id: string) => document.getElementById(id);
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
    select.innerHTML = a.faults.map((f) => `<option>${escHtml(f.kind)}</option>`).join('');
    select.onchange();
  }
  $('fault-row').hidden = a.faults.length === 0;
}

/**
 * Runs in the dashboard page (dashboardScript inlines it and the functions above with
 * Function.prototype.toString: nothing else from this module's scope).
 * Follows the server-sent updates: title, group figures, charts (through the shared chart board), target
 * health with reason codes, the event timeline; the buttons post actions with the token from the URL.
 * `window.fleetproofDashboard` holds the last update and their count, for tests and the curious.
 */
export function dashboardClient(uPlotCtor: unknown, board: typeof chartBoard): void {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const $ = (id: string) => document.getElementById(id);
  const charts = board(uPlotCtor as Parameters<typeof chartBoard>[0]);
  const state: { latest: DashboardUpdate | null; updates: number; ended: boolean } = {
    latest: null,
    updates: 0,
    ended: false,
  };
  window.fleetproofDashboard = state;

  const show = (u: DashboardUpdate) => {
    $('title').textContent = u.title;
    $('run').textContent = `${u.run} · ${u.at.toFixed(1)} s`;
    const g = u.group;
    $('figures').textContent = g
      ? `desired ${g.desired} · in service ${g.inService} · healthy ${g.healthy}${g.refresh ? ` · ${g.refresh}` : ''}`
      : '';
    charts.render(u.charts, $('charts'));
    $('targets').innerHTML = targetRows(u);
    $('events').innerHTML = eventRows(u);
    $('verdicts').innerHTML = verdictItems(u);
    showActions(u);
  };

  // Each fault's parameters pre-filled with the control API's fields (fault-handlers.ts), to edit.
  $('fault-kind').onchange = () => {
    const fault = state.latest?.actions.faults.find((f) => f.kind === $('fault-kind').value);
    $('fault-params').value = JSON.stringify(fault?.defaults ?? {});
  };
  $('scale').onclick = () => postAction(token, '/action/scale', { desired: Number($('desired').value) });
  $('deploy').onclick = () => postAction(token, '/action/deploy', { version: $('version').value });
  $('fault').onclick = () => {
    let body: object;
    try {
      body = JSON.parse($('fault-params').value || '{}');
    } catch {
      return sayResult(
        `fault parameters: expected JSON such as {"forMs": 10000}, got ${$('fault-params').value}`,
        true,
      );
    }
    return postAction(token, `/action/fault/${encodeURIComponent($('fault-kind').value)}`, body);
  };
  $('targets').onclick = (event: Dom) => {
    const id = event.target?.dataset?.id;
    if (id) void postAction(token, '/action/terminate', { instanceId: id });
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
      if (update.error) return sayResult(update.error, true);
      state.latest = update;
      state.updates += 1;
      show(update);
    };
  };
  connect();
}

/** The page's script: the row builders and the client, for a <script> after the chart module's. */
export function dashboardScript(): string {
  return [escHtml, targetRows, eventRows, verdictItems, sayResult, postAction, showActions, dashboardClient]
    .map((f) => f.toString())
    .join('\n');
}
