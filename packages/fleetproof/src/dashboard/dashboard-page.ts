import { chartScript } from '../report/chart-client.js';
import { chartLibrary } from '../report/chart-library.js';
import { dashboardScript } from './dashboard-client.js';

let page: string | undefined;

/**
 * The dashboard page: one HTML document with the chart library, the shared chart board and the page's
 * client inline, so it draws with no network access; its data comes from the server's event stream.
 */
export function dashboardPage(): string {
  if (page) return page;
  const library = chartLibrary();
  page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>fleetproof dashboard</title>
<style>${library.css}
${STYLE}</style>
</head>
<body>
<header>
  <h1><span id="title">fleetproof</span> <span id="connection" class="down">connecting…</span></h1>
  <p id="run" class="meta"></p>
  <p id="figures" class="figures"></p>
  <ul id="verdicts" class="verdicts"></ul>
</header>
<main>
<section id="actions" class="panel">
  <h2>Actions</h2>
  <p id="actions-why" class="why"></p>
  <div class="row"><label>desired capacity <input id="desired" type="number" step="1"> <span id="scale-range" class="why"></span></label> <button id="scale">Set desired</button></div>
  <div class="row"><label>version <input id="version" placeholder="V2" size="10"></label> <button id="deploy">Deploy (instance refresh)</button></div>
  <div class="row" id="fault-row"><label>fault <select id="fault-kind"></select></label> <input id="fault-params" size="46" spellcheck="false"> <button id="fault">Start fault</button></div>
  <p id="action-result"></p>
</section>
<section class="panel">
  <h2>Targets</h2>
  <table><thead><tr><th>instance</th><th>zone</th><th>version</th><th>lifecycle</th><th>health</th><th>reason</th><th>CPU</th><th></th></tr></thead><tbody id="targets"></tbody></table>
</section>
<section><div id="charts" class="charts"></div></section>
<section class="panel">
  <h2>Events</h2>
  <table class="events"><thead><tr><th>t</th><th>reason</th><th>what happened</th></tr></thead><tbody id="events"></tbody></table>
</section>
</main>
<script>${library.script}</script>
<script>
${chartScript()}
${dashboardScript()}
dashboardClient(uPlot, chartBoard);
</script>
</body>
</html>
`;
  return page;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header, main { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 16px; } h1 { margin: 0; font-size: 22px; } h2 { font-size: 16px; margin: 4px 0 8px; }
.meta { color: #6b7280; margin: 2px 0; } .figures { font-weight: 600; margin: 2px 0; }
#connection { font-size: 12px; padding: 2px 8px; border-radius: 4px; color: white; vertical-align: middle; }
#connection.live { background: #16a34a; } #connection.down { background: #d97706; } #connection.ended { background: #6b7280; }
.panel { background: white; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 14px; margin: 12px 0; }
.panel.off { opacity: 0.7; } .why { color: #6b7280; }
.row { margin: 6px 0; } button { cursor: pointer; } button:disabled { cursor: default; }
#action-result { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; margin: 4px 0; }
#action-result.bad { color: #b91c1c; } #action-result.ok { color: #166534; }
table { border-collapse: collapse; background: white; }
th, td { border: 1px solid #e5e7eb; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
tr.unhealthy td, tr.draining td { background: #fef2f2; } tr.healthy td:nth-child(5) { color: #166534; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 8px; }
.chart { min-height: 260px; background: white; border: 1px solid #e5e7eb; border-radius: 6px; }
.events td:first-child { white-space: nowrap; text-align: right; } .events tr.fault td { background: rgba(220, 38, 38, 0.14); }
.verdicts { list-style: none; padding: 0; margin: 4px 0; } .verdicts .ok { color: #166534; } .verdicts .bad { color: #b91c1c; }
code { font-size: 12px; }
`;
